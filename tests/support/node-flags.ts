// Node flags for every process a test run starts: vitest's workers (both configs' execArgv), the
// servers, the template maker and the scripts the tests spawn. Test processes only: `npm start`
// keeps V8's defaults.
//
// --liftoff-only: PGlite is PostgreSQL compiled to a 9 MB WebAssembly module, and every test process
// loads it. By default V8 compiles it quickly (Liftoff) and then recompiles the hot functions with
// its optimizing compiler (TurboFan) on background threads, which pays off only in a process that
// runs for long. Test processes live for one file or one server: measured on this 2-core machine,
// one load of the migrated template and 200 queries took 5.0 s of CPU with the default against
// 2.7 s with Liftoff only, and the two racing files (booking-holds, pledge-limits, 400 concurrent
// writes) 42.5 s against 29.3 s. The compiled code behaves the same; only how it is compiled changes.
export const TEST_NODE_FLAGS = ['--liftoff-only'];
