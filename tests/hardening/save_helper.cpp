// sb_save_helper: performs saves through the engine's real writers so that
// test_crash_safety can kill it mid-save or make its writes fail (file-size
// limit, full or read-only file system) and then inspect what is left on disk.
//
//   sb_save_helper hang PATH BYTES
//       AtomicFile save of BYTES bytes of 0x5a; after half of them prints
//       "half-written TMP" and waits forever (the test kills it).
//   sb_save_helper safetensors-loop PATH MIB
//       saves PATH with writeSafetensors again and again: tensor "data" of
//       MIB MiB filled with the save number, metadata "version"; prints
//       "saved N" after each save (the test kills it at some point).
//   sb_save_helper experiment-loop PATH MIB
//       the same with experiment files (ExperimentFile::save): dataset
//       /data/values of MIB MiB filled with the save number, root attribute
//       "version"; prints "saved N" after each save.
//   sb_save_helper safetensors PATH MIB [FSIZE_LIMIT_BYTES]
//       one save (version 1), optionally under RLIMIT_FSIZE; prints "saved"
//       or the engine's error message and exits 1.
// Error messages go to stdout as "error: <message>" so the test can check them.

#include "engine/errors.h"
#include "engine/experiment_store.h"
#include "engine/file_util.h"
#include "engine/safetensors.h"

#include <ATen/ATen.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <sys/resource.h>
#include <unistd.h>
#include <vector>

namespace {

void saveVersion(const std::string& path, int64_t mib, int64_t version)
{
    const int64_t n = mib * 1024 * 1024 / 4;
    at::Tensor t = at::full({n}, static_cast<float>(version), at::kFloat);
    sb::writeSafetensors(path, {{"data", t}}, {{"version", std::to_string(version)}});
}

void saveExperimentVersion(const std::string& path, int64_t mib, int64_t version)
{
    const int64_t n = mib * 1024 * 1024 / 4;
    sb::ExperimentFile f;
    f.root().setInt("version", version);
    f.root().group("data").setDataset(
        "values", sb::NumericArray::fromFloat32({n}, std::vector<float>(static_cast<std::size_t>(n), static_cast<float>(version))));
    f.save(path);
}

int usage()
{
    std::cerr << "usage: sb_save_helper hang PATH BYTES | safetensors-loop PATH MIB | experiment-loop PATH MIB | "
                 "safetensors PATH MIB [LIMIT]\n";
    return 2;
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 4)
        return usage();
    const std::string mode = argv[1];
    const std::string path = argv[2];
    try {
        if (mode == "hang") {
            const std::size_t bytes = std::stoull(argv[3]);
            std::vector<char> buf(bytes / 2, 0x5a);
            sb::AtomicFile f(path);
            f.write(buf.data(), buf.size());
            std::cout << "half-written " << f.temporaryPath() << std::endl;
            for (;;)
                ::pause();
        }
        if (mode == "safetensors-loop") {
            const int64_t mib = std::stoll(argv[3]);
            for (int64_t v = 1;; ++v) {
                saveVersion(path, mib, v);
                std::cout << "saved " << v << std::endl;
            }
        }
        if (mode == "experiment-loop") {
            const int64_t mib = std::stoll(argv[3]);
            for (int64_t v = 1;; ++v) {
                saveExperimentVersion(path, mib, v);
                std::cout << "saved " << v << std::endl;
            }
        }
        if (mode == "safetensors") {
            const int64_t mib = std::stoll(argv[3]);
            if (argc > 4) {
                // Past the limit the kernel sends SIGXFSZ; ignored, write() fails with EFBIG instead.
                std::signal(SIGXFSZ, SIG_IGN);
                rlimit lim{};
                lim.rlim_cur = lim.rlim_max = std::stoull(argv[4]);
                if (::setrlimit(RLIMIT_FSIZE, &lim) != 0) {
                    std::perror("setrlimit");
                    return 3;
                }
            }
            saveVersion(path, mib, 1);
            std::cout << "saved" << std::endl;
            return 0;
        }
    } catch (const sb::Error& e) {
        std::cout << "error: " << e.what() << std::endl;
        return 1;
    }
    return usage();
}
