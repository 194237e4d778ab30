/** Metrics of pipelined-training schedules: communication, the link model, speedup, gap. */
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
export { speedup, gapTo } from './speedup';
