//! Everything around the functions, in three parts:
//!
//! | part | what | used by |
//! |---|---|---|
//! | [`template`] | `template.yaml` read into types, the IAM grants each function's calls need, and the route functions written from the route table (`rpctl template`) | all of it, the tests |
//! | [`operator`] | the operator's tools against any stack, local or deployed: staff accounts, reference streets, buildings and houses, the bureau's social-insurance months, the permit reminders job, bulk writes | `rpctl`, the local stack |
//! | [`local`] | LOCAL ONLY: the stack on the emulators — tables, queues and bus made from the template, the local API, the queue and stream pollers standing in for Lambda's event source mappings, the local identity registry | `make run`, the tests, the benchmarks |
//!
//! The arrows run `local` → `operator` → `template`, never back.

pub mod local;
pub mod operator;
pub mod template;
