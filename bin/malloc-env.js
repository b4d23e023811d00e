// glibc malloc settings `pharos dev` and `pharos server` are started with (`npm start`, the
// Docker image; docs/performance.md "Idle memory"). glibc raises its mmap threshold each time
// a large mmapped block is freed (up to 32 MiB), after which such blocks come from the heap
// and, once freed, stay in the process unless they sit at its top: the engines' start-up
// (PGlite's WASM, chDB's tables) leaves ~60 MiB held that way. Fixed thresholds keep blocks
// over 128 KiB mmapped, given back when freed, and trim the heap's top past 128 KiB.
// glibc reads them when the process starts, so they have to be in its environment (a running
// process cannot set them for itself). Plain JavaScript, read by the benchmarks and by the
// unit test that keeps `npm start` and the Dockerfile in step with it.
export const MALLOC_ENV = Object.freeze({ MALLOC_MMAP_THRESHOLD_: '131072', MALLOC_TRIM_THRESHOLD_: '131072' });
