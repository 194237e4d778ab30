/** The reference SNN trainer (README, The model: reference trainer): public entry points. */
export { planNetwork, type NetPlan, type LayerPlan } from './plan';
export { ShardEngine, type EngineOptions, type DType, type StepResult } from './engine';
export { Trainer, train, initWeights, checkDataset, DEFAULT_LR, DELAY_MODES, type DelayMode, type TrainOptions, type EpochStats, type TrainResult, type StepProgress } from './trainer';
export { parseDelays, twoStageDelays, twoSDelays, pipeDreamDelays, delaysFromSchedule, graphNamesNetwork } from './delays';
export { accuracyTable, runAccuracyJobs, summarizeAccuracy, spreadOf, accuracyJobKey, type AccuracyJob, type AccuracyRow, type AccuracyRowSpec, type AccuracySummaryRow, type AccuracyTableOptions } from './accuracy';
export { SURROGATES, DEFAULT_SLOPE, type SurrogateKind, type NeuronParams } from './neuron';
export { createRng, permutation, shuffleInPlace, type Rng } from './rng';
export { adam, sgd, makeOptimizer, type Optimizer, type OptimizerKind } from './optim';
