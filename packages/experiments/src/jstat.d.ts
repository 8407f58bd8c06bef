// The few jStat distributions the statistics engine uses (jstat ships no types).
declare module 'jstat' {
  interface Continuous {
    cdf(x: number, ...params: number[]): number;
    inv(p: number, ...params: number[]): number;
  }
  const jstat: {
    jStat: {
      normal: Continuous;
      studentt: Continuous;
      chisquare: Continuous;
    };
  };
  export default jstat;
}
