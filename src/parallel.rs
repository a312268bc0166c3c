//! Work on all cores: the one way narrata spreads independent pieces of work over threads.

/// `f(0..n)` on all cores, results in order.
pub fn map<T: Send>(n: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let workers = std::thread::available_parallelism()
        .map(|p| p.get())
        .unwrap_or(1)
        .clamp(1, 8)
        .min(n.max(1));
    if workers <= 1 {
        return (0..n).map(f).collect();
    }
    let f = &f;
    let mut parts: Vec<Vec<(usize, T)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                scope.spawn(move || {
                    (w..n)
                        .step_by(workers)
                        .map(|i| (i, f(i)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    let mut all: Vec<(usize, T)> = parts.iter_mut().flat_map(std::mem::take).collect();
    all.sort_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, t)| t).collect()
}

/// Lowers the calling thread's scheduling priority as far as it goes (nice 19), for work that
/// should use only a core the rest of the program leaves idle; the threads it starts inherit
/// it. On Linux only, where a nice value belongs to a thread; elsewhere it does nothing. A
/// failure is no error: the work then runs at the usual priority.
pub fn background() {
    #[cfg(target_os = "linux")]
    {
        let _ = rustix::process::setpriority_process(Some(rustix::thread::gettid()), 19);
    }
}

#[cfg(test)]
mod tests {
    /// The nice value of the calling thread, from Linux's own account of it.
    #[cfg(target_os = "linux")]
    fn nice() -> i64 {
        let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap();
        // The fields after the command name (which is in parentheses): nice is the 19th field
        // of the line, the 17th after the name.
        let after = &stat[stat.rfind(')').unwrap() + 2..];
        after.split(' ').nth(16).unwrap().parse().unwrap()
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn background_lowers_only_its_thread_and_the_threads_it_starts() {
        let before = nice();
        let (own, child) = std::thread::spawn(|| {
            super::background();
            let child = std::thread::spawn(nice).join().unwrap();
            (nice(), child)
        })
        .join()
        .unwrap();
        assert_eq!((own, child), (19, 19));
        assert_eq!(nice(), before, "the calling thread's priority changed");
    }

    #[test]
    fn map_gives_results_in_order() {
        let squares = super::map(100, |i| i * i);
        assert_eq!(squares, (0..100).map(|i| i * i).collect::<Vec<_>>());
    }
}
