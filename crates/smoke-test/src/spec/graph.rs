//! Cycles in the dependency graph of checks.

/// A cycle in a dependency graph (`deps[i]` = what `i` waits for), as the
/// checks along it, starting from the lowest index on it.
pub fn find_cycle(deps: &[Vec<usize>]) -> Option<Vec<usize>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    fn visit(
        n: usize,
        deps: &[Vec<usize>],
        mark: &mut [Mark],
        stack: &mut Vec<usize>,
    ) -> Option<Vec<usize>> {
        mark[n] = Mark::Open;
        stack.push(n);
        for &m in &deps[n] {
            match mark[m] {
                Mark::Open => {
                    let at = stack.iter().position(|&s| s == m).unwrap_or(0);
                    let mut cycle = stack[at..].to_vec();
                    // Waiting order reads better forwards: a needs b needs c.
                    let min = cycle
                        .iter()
                        .enumerate()
                        .min_by_key(|(_, v)| **v)
                        .map_or(0, |(i, _)| i);
                    cycle.rotate_left(min);
                    return Some(cycle);
                }
                Mark::New => {
                    if let Some(c) = visit(m, deps, mark, stack) {
                        return Some(c);
                    }
                }
                Mark::Done => {}
            }
        }
        stack.pop();
        mark[n] = Mark::Done;
        None
    }
    let mut mark = vec![Mark::New; deps.len()];
    for n in 0..deps.len() {
        if mark[n] == Mark::New {
            let mut stack = Vec::new();
            if let Some(c) = visit(n, deps, &mut mark, &mut stack) {
                return Some(c);
            }
        }
    }
    None
}
