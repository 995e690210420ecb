//! Linting off the server's loop. Two worker threads run jobs in order and send what they
//! computed back to the loop: one lints documents, one computes fix-all edits for code
//! actions (so a code action never waits behind the lint of another document). The loop
//! hands the lint worker one document at a time, with a snapshot of its text: edits that
//! arrive meanwhile only mark the document for another lint of its latest text.

use std::collections::{HashSet, VecDeque};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::Arc;
use std::thread;

use crossbeam_channel::{unbounded, Sender};
use lsp_server::RequestId;

use super::documents::{open_text, OpenTexts};
use crate::linter::{self, FileDiagnostics, Linter, Settings};

/// What a worker sends back to the loop.
pub(crate) enum Done {
    Lint(Linted),
    FixAll(FixedAll),
}

/// One document linted: its results and what they were computed from.
pub(crate) struct Linted {
    pub(crate) uri: String,
    pub(crate) generation: u64,
    /// The settings' epoch (see `Server::epoch`) the lint ran with.
    pub(crate) epoch: u64,
    /// The text that was linted.
    pub(crate) text: Arc<str>,
    pub(crate) results: Vec<FileDiagnostics>,
    /// The linter panicked; `results` holds the internal-error diagnostic.
    pub(crate) panicked: Option<PathBuf>,
}

/// The text of a code action's fix-all, for the request waiting on it.
pub(crate) struct FixedAll {
    pub(crate) request: RequestId,
    pub(crate) fixed: Option<String>,
}

type Job = Box<dyn FnOnce() -> Done + Send>;

/// A thread that runs jobs in order.
pub(crate) struct Worker {
    jobs: Sender<Job>,
}

impl Worker {
    /// Runs jobs until the server drops the worker; the results go to `done`.
    pub(crate) fn spawn(name: &str, done: Sender<Done>) -> std::io::Result<Worker> {
        let (jobs, queue) = unbounded::<Job>();
        thread::Builder::new().name(name.into()).spawn(move || {
            for job in queue {
                if done.send(job()).is_err() {
                    return;
                }
            }
        })?;
        Ok(Worker { jobs })
    }

    fn run(&self, job: Job) {
        // The thread only ends when the loop is gone.
        let _ = self.jobs.send(job);
    }
}

/// A lint to run: one document's text and everything it is linted with.
pub(crate) struct LintJob {
    pub(crate) uri: String,
    pub(crate) generation: u64,
    pub(crate) epoch: u64,
    pub(crate) path: PathBuf,
    pub(crate) text: Arc<str>,
    pub(crate) open: OpenTexts,
    pub(crate) settings: Settings,
}

impl LintJob {
    /// Lints; a failure of the linter becomes a diagnostic (and a log line on the loop),
    /// never the end of the server.
    pub(crate) fn start(self, worker: &Worker, linter: Arc<dyn Linter>) {
        worker.run(Box::new(move || {
            let open = |p: &std::path::Path| open_text(&self.open, p);
            let lint = || linter.lint(&self.path, &self.text, &open, &self.settings);
            let (results, panicked) = match catch_unwind(AssertUnwindSafe(lint)) {
                Ok(results) => (results, None),
                Err(_) => (
                    vec![internal_error(self.path.clone(), self.text.clone())],
                    Some(self.path.clone()),
                ),
            };
            Done::Lint(Linted {
                uri: self.uri,
                generation: self.generation,
                epoch: self.epoch,
                text: self.text,
                results,
                panicked,
            })
        }));
    }
}

/// A fix-all to compute for a code action request.
pub(crate) struct FixAllJob {
    pub(crate) request: RequestId,
    pub(crate) path: PathBuf,
    pub(crate) text: Arc<str>,
    pub(crate) open: OpenTexts,
    pub(crate) settings: Settings,
}

impl FixAllJob {
    pub(crate) fn start(self, worker: &Worker, linter: Arc<dyn Linter>) {
        worker.run(Box::new(move || {
            let open = |p: &std::path::Path| open_text(&self.open, p);
            let fix = || linter.fix_all(&self.path, &self.text, &open, &self.settings);
            let fixed = catch_unwind(AssertUnwindSafe(fix)).ok().flatten();
            Done::FixAll(FixedAll {
                request: self.request,
                fixed,
            })
        }));
    }
}

fn internal_error(path: PathBuf, text: Arc<str>) -> FileDiagnostics {
    FileDiagnostics {
        path,
        text,
        diagnostics: vec![linter::Diagnostic::about_file(
            "RAMPART-003",
            "internal-error",
            "rampart failed on this file; the error is in the server log".into(),
        )],
    }
}

/// Documents waiting for a lint, oldest first, each once; and the one being linted.
#[derive(Default)]
pub(crate) struct LintQueue {
    queue: VecDeque<String>,
    queued: HashSet<String>,
    /// The document (and generation) the lint worker has now.
    running: Option<(String, u64)>,
}

impl LintQueue {
    pub(crate) fn push(&mut self, uri: &str) {
        if self.queued.insert(uri.to_string()) {
            self.queue.push_back(uri.to_string());
        }
    }

    /// The next document to lint, when the worker is free.
    pub(crate) fn next(&mut self) -> Option<String> {
        if self.running.is_some() {
            return None;
        }
        let uri = self.queue.pop_front()?;
        self.queued.remove(&uri);
        Some(uri)
    }

    pub(crate) fn has_work(&self) -> bool {
        self.running.is_none() && !self.queue.is_empty()
    }

    pub(crate) fn started(&mut self, uri: &str, generation: u64) {
        self.running = Some((uri.to_string(), generation));
    }

    pub(crate) fn finished(&mut self) {
        self.running = None;
    }

    /// Will `uri` at `generation` be linted without being asked again?
    pub(crate) fn covers(&self, uri: &str, generation: u64) -> bool {
        self.queued.contains(uri)
            || self
                .running
                .as_ref()
                .is_some_and(|(u, g)| u == uri && *g == generation)
    }

    pub(crate) fn clear(&mut self) {
        self.queue.clear();
        self.queued.clear();
    }
}
