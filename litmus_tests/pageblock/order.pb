# Morton's questions 1 and 2: will CPU1 see CPU2's writes in the order CPU2 performed them?
# CPU2 isolates pageblocks 0..N-1 in pfn order; CPU1 reads them back in reverse pfn order.
scenario order "will CPU1 see CPU2's writes in the order CPU2 performed them?"

param N = 2..8
param variant = plain, wmb, rmb, wmb_rmb, mb, release_acquire, writer_locked, both_locked
name "order-{variant}-N{N}"
# both CPUs locking every access: the checker enumerates every interleaving of 2N critical
# sections; N <= 3 keeps the shipped family in seconds (bench/pageblock.py goes further)
require variant != both_locked or N <= 3
pageblocks N

cpu CPU2 {
    set 0..N-1
        (fence smp_wmb when variant in (wmb, wmb_rmb))
        (fence smp_mb when variant == mb)
        (release when variant == release_acquire)
        (locked each when variant in (writer_locked, both_locked))
}

cpu CPU1 {
    read 0..N-1 reverse
        (fence smp_rmb when variant in (rmb, wmb_rmb))
        (fence smp_mb when variant == mb)
        (acquire when variant == release_acquire)
        (locked each when variant == both_locked)
}

ask reordered CPU1
