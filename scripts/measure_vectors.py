#!/usr/bin/env python3
# Regenerates the "Measured on the demo models" tables of docs/vectors.md:
#   scripts/measure_vectors.py build/app/cli/steerbridge-cli   (from the source tree; ~2 min)
import json, subprocess, sys
CLI = sys.argv[1]
R = 'resources'
import tempfile
TMP = tempfile.mkdtemp(prefix='sb-measure-')
models = ['stories260k', 'stories-gpt2', 'stories-llama96']
def run(args):
    out = subprocess.run([CLI] + args, check=True, capture_output=True, text=True).stdout
    return json.loads(out)
for policy in ['mean', 'last']:
    print(f'\nPosition policy `{policy}`:\n')
    print('| model | vector -> held-out pairs | alpha 4: shift [95 % CI] | random [95 % CI] | KL | alpha 8: shift [95 % CI] | random [95 % CI] | KL |')
    print('|---|---|---|---|---|---|---|---|')
    for m in models:
        vec = {}
        for ds in ['happy_vs_sad', 'dog_vs_cat']:
            out = f'{TMP}/{m}-{ds}-{policy}.safetensors'
            run(['extract', f'{R}/models/{m}', '--pairs', f'{R}/pairs/{ds}.jsonl', '--layer', '2', '--component', 'resid_post',
                 '--method', 'mean', '--policy', policy, '--out', out, '--json'])
            vec[ds] = out
        for label, v, ds in [('happy -> happy', vec['happy_vs_sad'], 'happy_vs_sad'), ('dog -> dog', vec['dog_vs_cat'], 'dog_vs_cat'),
                             ('dog -> happy', vec['dog_vs_cat'], 'happy_vs_sad')]:
            d = run(['evaluate', f'{R}/models/{m}', '--vector', v, '--pairs', f'{R}/pairs/{ds}.jsonl', '--alphas', '4,8', '--heldout', '--json'])
            conds = d['report']['conditions']
            cells = []
            for a in [4.0, 8.0]:
                vc = [c for c in conds if c['label'] == 'vector' and c['alpha'] == a][0]
                rc = [c for c in conds if c['label'] == 'random' and c['alpha'] == a][0]
                cells += [f"{vc['shift']:.2f} [{vc['ci'][0]:.2f}, {vc['ci'][1]:.2f}]", f"{rc['shift']:.2f} [{rc['ci'][0]:.2f}, {rc['ci'][1]:.2f}]", f"{vc['kl']:.3f}"]
            print(f'| {m} | {label} | ' + ' | '.join(cells) + ' |', flush=True)
