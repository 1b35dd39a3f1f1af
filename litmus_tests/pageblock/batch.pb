# Morton's question 3: if CPU2's writes are written back in a single atomic flush, what will CPU1
# make of that? CPU2 isolates pageblocks 0..N-1 as one group: a batched flush (our extension, with
# its herd-compatible -cs form and its sequential -seq twin) or one zone-lock critical section.
# CPU1 reads them in pfn order: plainly, with smp_rmb between the reads, or under the zone lock.
scenario batch "if CPU2's writes are written back in a single atomic flush, what will CPU1 make of that?"

param N = 2..6
param writer = flush, zone_locked
param reader = plain, rmb, locked
name "batch-{writer}-reader-{reader}-{ask}-N{N}"
pageblocks N

cpu CPU2 {
    batch { set 0..N-1 } if writer == flush
    set 0..N-1 locked group if writer == zone_locked
}

cpu CPU1 {
    read 0..N-1
        (fence smp_rmb when reader == rmb)
        (locked group when reader == locked)
}

# torn: a read saw the group and a later read missed it (the first pageblocks are set, the last not)
ask torn CPU1
# straddle: the first read came before the group, the last after (no read order can prevent it)
ask saw N-1 missed 0 CPU1 as straddle
