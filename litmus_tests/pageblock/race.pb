# The race beneath Morton's questions: two CPUs run start_isolate_page_range() on overlapping ranges
# (CPU_A on 0..N-1, CPU_B on the last `overlap` pageblocks): per pageblock, check that it is not
# isolated, then isolate it; on finding it isolated, undo the ones set so far and fail (-EBUSY).
scenario race "can two CPUs both own a pageblock, or leave one isolated that nobody owns?"

param N = 1..3
param overlap = 1..N
param lock = unlocked, locked, group
name "race-{lock}-o{overlap}-{ask}-N{N}"
# per-pageblock locking: every interleaving of the critical sections is an execution; N <= 2
# keeps the shipped family in seconds (bench/pageblock.py goes further)
require lock != locked or N <= 2
pageblocks N

cpu CPU_A {
    isolate 0..N-1 (locked each when lock == locked) (locked group when lock == group)
}

cpu CPU_B {
    isolate N-overlap..N-1 (locked each when lock == locked) (locked group when lock == group)
}

ask both_succeeded
ask leaked
ask lost
