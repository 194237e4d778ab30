/** Metrics of pipelined-training schedules: communication, link load, speedup, gap. */
export { crossingBytes, commOverhead, trainingCommunication, linkLoad, linkLoadNote, type Crossing, type PairBytes, type LinkLoad, type LinkLoadReport } from './communication';
export { speedup, gapTo } from './speedup';
