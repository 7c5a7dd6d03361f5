<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>QObject</name>
    <message>
        <source>Slow matrix library</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Out of memory.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unknown error.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>sb</name>
    <message>
        <source>yes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 B</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 M</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>learned</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>rotary</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> (partial)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 layers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>hidden %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 heads (%2 key/value)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 heads</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MLP %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>vocabulary %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 parameters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shape</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Family</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The model family (config.json model_type). It fixes the block&apos;s details; models of different families do not share a basis, so a vector has to be mapped, not copied.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hidden size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>dimensions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Width of the residual stream, the space a steering vector lives in. When the widths differ the vector cannot be added as it is; it needs a projection learned from paired activations (truncating or zero-padding is only a baseline).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Layers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>blocks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Depth of the stack. Layer i of one model does not do the work of layer i of the other: choose the injection layer by relative depth or, better, by measured similarity.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MLP width</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Width of the feed-forward layer. It bounds what an MLP output can express, which matters for vectors taken from MLP outputs.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Number of distinct weights. Larger models tend to spread a concept over more directions, so a vector from a small model may cover only part of it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Attention</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Attention kind</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Whether every head has its own keys and values (MHA) or groups share them (GQA, MQA). It changes what attention writes into the residual stream, so attention-output vectors transfer less directly than residual-stream vectors.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Attention heads</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>heads</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Number of query heads. With the head size it sets how attention splits the residual stream.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key/value heads</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Number of key/value heads; fewer than the query heads means grouped-query attention.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Head size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Width of one attention head.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Query/key/value bias</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Whether the attention projections add a bias. A bias shifts every activation, which changes the baseline a vector is added to.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sliding window</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>tokens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Local attention span, if any. Beyond it, steering added to early prompt tokens no longer reaches later positions.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>none</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Normalisation and MLP</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Normalisation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RMSNorm and LayerNorm rescale activations differently (LayerNorm also removes the mean). A vector with the right direction can have the wrong size after transfer, so its norm should be matched to the target&apos;s typical activation norm.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Normalisation epsilon</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stabiliser added inside the normalisation.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MLP activation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Non-linearity of the feed-forward layer. Different activations respond differently to the same shift in their input.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gated MLP</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Whether the MLP multiplies a gate with its up-projection (SwiGLU/GeGLU) or is a plain two-layer network. It changes how MLP outputs depend on the residual stream.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Residual layout</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sequential blocks add attention, then the MLP; parallel blocks compute both from the same input. A vector added to the residual stream reaches the MLP differently in the two layouts.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>parallel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>sequential</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Positions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Position encoding</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rotary positions act inside attention; learned positions are added to the embeddings, so they are part of the residual stream a vector is added to.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rotary base θ</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Base of the rotary frequencies (only for rotary positions).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>—</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Context length</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Longest input the model was configured for. Prompts and generated text must fit in both models.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Vocabulary and weights</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Vocabulary size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Number of token embeddings. Different vocabularies split the same text differently, so prompts and pairs are aligned by characters rather than by token position.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tokenizer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How text becomes tokens (byte-level BPE, SentencePiece...). Needed to run the model on text; without one only token ids can be used.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>none found</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tied embeddings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Whether the output head reuses the input embeddings. With tied embeddings the residual stream&apos;s final directions are token directions, which helps reading a vector as words.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Weights stored as</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Number format of the weight files; SteerBridge computes in 32-bit floats whatever the storage.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Memory for computing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MiB</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Weights converted to 32-bit floats.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot export to %1: the file name must end in .png, .pdf or .svg.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot export to %1: the view has no size yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot export to %1: drawing the figure failed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PNG image (*.png)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PDF document (*.pdf)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SVG drawing (*.svg)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export Figure</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>sb::ArchitectureTable</name>
    <message>
        <source>Show only &amp;differences</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Copy Table</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Property</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Source</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Source: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Target</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Target: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1

The two models differ here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Load two models to compare their architectures.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n of %1 properties differ (highlighted). Hover a row for what it means for transfer.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
</context>
<context>
    <name>sb::CompatibilityPanel</name>
    <message>
        <source>Overall compatibility</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Load two models to score their compatibility.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Implied strategy: &lt;b&gt;%1&lt;/b&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Implied strategy: &lt;b&gt;%1&lt;/b&gt;. %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2. %3</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>sb::JobStatus</name>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop what is running (Esc in the main window)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelling...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> (%1 %)</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>, and %n more running</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
</context>
<context>
    <name>sb::LayerDiagram</name>
    <message>
        <source>residual stream</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>attention output</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MLP output</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>attn</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MLP</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>resid</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Layer mapping:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Depth heuristic</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Join layers at the same relative depth (the baseline).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Measured</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Join layers along the path of highest representational similarity (needs a comparison run).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Colour by:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Component kind</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>+</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Zoom in (Ctrl++, or Ctrl+wheel)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>−</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Zoom out (Ctrl+-)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fit the diagram to the window (Ctrl+0)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Load a source and a target model to see their layers.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Source: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Target: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%1 · %n layer(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>output ↑</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>↑ embeddings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Functional stage “%1” at %2 % depth: source layer %3, target layer %4</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2 %)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2): %3 → %4</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2), each model on its own scale: source %3 → %4, target %5 → %6</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Source layer %1 → target layer %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> (similarity %1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Source %1, layer %2 of 0–%3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Target %1, layer %2 of 0–%3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2), relative depth %3–%4 %</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>depth heuristic</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>measured</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mapped (%1) to target layer %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mapped (%1) from source layer(s) %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Functional stage: %1 (%2 % depth)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No models loaded.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not chosen</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>layer %1, %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Extraction point (source): %1 · Injection point (target): %2. Click a component to choose; hover for numbers.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Layer diagram</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>sb::LayerProfilePlot</name>
    <message>
        <source>&amp;Horizontal axis:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Relative depth</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Layer index</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Relative depth lines up models of different depth: layer i of L is drawn at (i + ½) / L.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Layer</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>sb::LoadModelJob</name>
    <message>
        <source>Loading weights</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading tokenizer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No tokenizer.json or tokenizer.model: text input is unavailable for this model.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loaded</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>sb::LossPlot</name>
    <message>
        <source>Loss &amp;term:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All terms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Which loss term to draw. Train curves are solid, validation curves dashed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Logarithmic scale</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Training loss</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Step</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loss</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1, %2 (%3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>validation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>train</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>sb::MainWindow</name>
    <message>
        <source>source</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>target</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SteerBridge</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ready</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compatibility for vector transfer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Architecture</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Layers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Extraction point: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Injection point: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Dataset</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mean difference</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Method:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>E&amp;xtract</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Vector norm per layer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Norm of the vector</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>E&amp;xtraction</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Training</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Steering</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Models</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Source</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Target</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open &amp;Source Model...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open &amp;Target Model...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recent Source Models</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recent Target Models</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Load &amp;Demo Pair</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Export Figure...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Redo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Preferences...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Presentation Mode</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Large fonts and clean plots for lab meetings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Cancel Running Tasks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel requested.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;About SteerBridge</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open Source Model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open Target Model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading %1 model %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading %1 as the %2 model from %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loaded %1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loaded %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot load model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not load the %1 model from
%2

%3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Demo models not found</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The bundled demo models were not found. Set SB_RESOURCE_DIR to the resources folder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No recent models</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 → %2 — SteerBridge[*]</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SteerBridge[*]</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 · hidden %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Steered generation needs an extracted vector (Extraction tab).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Error: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This tab has no figure to export; the Layers, Extraction and Training tabs do.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exported %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Presentation mode: Ctrl+Shift+P to leave</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Presentation mode off</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SteerBridge will use the new language when it starts again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>About SteerBridge</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;h3&gt;SteerBridge %1&lt;/h3&gt;&lt;p&gt;Moves steering and preference vectors between transformer language models of different architectures: compare two models, map their layers, extract a vector in one, adapt it, inject it into the other and measure what it does.&lt;/p&gt;&lt;p&gt;Built with Qt %2, libtorch and QCustomPlot.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unsaved changes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The dataset has changes that are not saved. Quit anyway?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open as Source Model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open as Target Model</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>sb::ModelPane</name>
    <message>
        <source>Open %1 Model...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a Hugging Face model folder (config.json and safetensors), or drop one on this pane. The arrow lists recent models.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: loading %2...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: could not load %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: no model loaded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open a model folder or drop one here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No recent models</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>sb::PairTableEditor</name>
    <message>
        <source>Edit cell</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Split dataset</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Both continuations are needed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The positive and negative continuations are identical, so the pair carries no contrast.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not imported: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Line %1 of the imported file could not be read: %2. Fix the file and import again, or delete this row.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>train</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>held out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>—</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not in the split yet: split again to assign it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Line</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Positive continuation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Negative continuation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Split</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Add Pair</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add an empty pair below the selection (Insert)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Delete</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete the selected rows (Delete)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Undo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Undo the last change (Ctrl+Z)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Redo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Redo (Ctrl+Shift+Z)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Import...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Append pairs from a JSONL, CAA (JSON) or CSV file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Held out:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fraction of pairs kept out of extraction and training, to measure the effect honestly.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>S&amp;eed:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The same seed and pairs always give the same split.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Split</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add pair</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Delete %n row(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>No importer is available for %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot import pairs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import Pairs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pair datasets (*.jsonl *.json *.csv);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n pair(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1: %n pair(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n line(s) could not be imported (red rows)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n pair(s) need fixing (yellow rows)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>split: %1 train, %2 held out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not split yet: press Split</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>splitting is unavailable</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>sb::PlotView</name>
    <message>
        <source>Export Plot...</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>sb::PreferencesDialog</name>
    <message>
        <source>Preferences</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>System language (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A new language takes effect when SteerBridge starts again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Load the &amp;demo models at start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>never</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How often unsaved work is written to a recovery file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Autosave every:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> ×</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Presentation font size:</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>sb::SimilarityHeatmap</name>
    <message>
        <source>&amp;Similarity:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Which layer-similarity measure to show. CKA compares the geometry of two layers&apos; activations on the same texts; mutual kNN counts shared nearest neighbours.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Layer similarity</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Target layer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Target layer (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Source layer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Source layer (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Layer similarity: run a comparison to measure it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 with the %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mapping path</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Source layer %1 × target layer %2: %3 %4</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> (on the mapping path)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No similarity measured yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Selected: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Click a cell to choose that pair of layers; hover for the value; wheel to zoom.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>sb::SteeredComparisonView</name>
    <message>
        <source>Once upon a time, there was a little dog</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Prompt:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Steering strength α: the vector is multiplied by α before it is added. Negative values steer towards the opposite concept.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Strength &amp;α:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sampling seed: the same seed gives the same text in every column, so differences come from steering.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Also steer the &amp;source model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>S&amp;eed:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;New tokens:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Generate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Generate all columns (Ctrl+Return)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop generating</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Target, unsteered</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Target + native vector</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Target + transferred vector</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
