// One shape for the answers ctnet remembers: pure functions of a string that `ctnet watch` asks the same
// questions of at every edit (1000 containers' addresses, keys, names), where working them out again
// would be most of the edit's cost.

/** `fn` with its answers remembered by argument. Bounded: once `bound` answers are kept the memory starts
 *  over, so odd input (or a daemon living through many topologies) cannot grow it without end. A bound,
 *  not a cache policy: what is forgotten is only worked out again. */
export function memoized<V>(fn: (arg: string) => V, bound: number): (arg: string) => V {
  const answers = new Map<string, V>();
  return (arg) => {
    let v = answers.get(arg);
    if (v === undefined && !answers.has(arg)) {
      v = fn(arg);
      if (answers.size >= bound) answers.clear();
      answers.set(arg, v);
    }
    return v as V;
  };
}
