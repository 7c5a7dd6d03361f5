#pragma once
// The vectors feature's part of the experiment file (docs/experiment-file.md,
// groups /datasets, /vectors, /activations, /evaluations): datasets with
// their hash and content, vectors with their metadata, activations the user
// chose to keep, and evaluation results as a table plus the full report.

#include "engine/contrastive_dataset.h"
#include "engine/evaluation.h"
#include "engine/experiment_store.h"
#include "engine/extraction.h"
#include "engine/preference_vector.h"

#include <string>
#include <vector>

namespace sb {

/// Stores the dataset under /datasets/<name>-<hash[0:12]> (kept if already there: same hash, same content).
/// Returns the group name.
std::string storeDataset(ExperimentFile& file, const ContrastiveDataset& dataset);
ContrastiveDataset loadStoredDataset(const ExperimentFile& file, const std::string& name);
std::vector<std::string> storedDatasetNames(const ExperimentFile& file);

/// Stores a vector under /vectors/<name>; an empty name is made from the
/// model, point, method and dataset (made unique with "~2", "~3"...).
std::string storeVector(ExperimentFile& file, const PreferenceVector& vector, const std::string& name = {});
PreferenceVector loadStoredVector(const ExperimentFile& file, const std::string& name);
std::vector<std::string> storedVectorNames(const ExperimentFile& file);

/// Stores collected activations under /activations/<name> (made like a vector's name).
std::string storeActivations(ExperimentFile& file, const std::string& model, const HookPoint& point,
                             const PairedActivations& acts, const std::string& datasetHash);
PairedActivations loadStoredActivations(const ExperimentFile& file, const std::string& name);

/// What an evaluation was run on, stored with it.
struct EvaluationContext {
    std::string vector;        ///< /vectors name or file the vector came from
    std::string datasetHash;
    std::string pairs;         ///< which pairs (held-out part of ..., all pairs of ...)
    std::string strategy;      ///< injection strategy, when the vector was transferred
};
/// Stores the report under /evaluations/<name> (made from the model and vector when empty).
std::string storeEvaluation(ExperimentFile& file, const EvaluationReport& report, const EvaluationContext& context,
                            const std::string& name = {});

/// Opens `path` when it exists, else a new experiment file.
ExperimentFile openOrCreateExperiment(const std::string& path);

} // namespace sb
