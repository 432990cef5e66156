// jemalloc's options for jobtrackd, read by jemalloc at its first
// allocation (the `malloc_conf` symbol; MALLOC_CONF in the environment
// overrides it). Linked only into jobtrackd built with jemalloc.
//
// Freed pages go back to the system after a second instead of ten, by a
// background thread rather than on the serving threads: the report
// projection's checkpoint is read through a few hundred MB of buffers at
// start-up, which would otherwise stay resident.
extern "C" {
// NOLINTNEXTLINE: the name is jemalloc's.
const char* malloc_conf =
    "background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0";
}
