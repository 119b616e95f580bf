/** The time source of the domain, replaceable so that tests and benchmarks can seed history. */
export type Clock = () => number;
export const systemClock: Clock = Date.now;
