/** Metrics of pipelined-training schedules: communication (both readings), the link model, speedup, gap. */
export {
  crossingBytes,
  commOverhead,
  trainingCommunication,
  linkBytes,
  linkCycles,
  linkPeriodBound,
  linkLoad,
  linkLoadNote,
  tensorGroups,
  groupCrossing,
  forEachGroupLink,
  type Crossing,
  type PairBytes,
  type LinkLoad,
  type LinkLoadReport,
  type TensorGroups,
} from './communication';
export { trainingMemoryTraffic, trainingTraffic, type TrainingTraffic } from './memory-traffic';
export { speedup, gapTo } from './speedup';
