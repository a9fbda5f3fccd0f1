//! A `csr-press watch` process and the status lines it prints.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A running `watch` and the lines it prints.
pub struct Watch {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Watch {
    /// Starts `watch` and waits until it watches.
    pub fn start(manifest: &Path, pdf: &Path, root: &Path, extra: &[&str]) -> Self {
        Self::start_with(manifest, pdf, root, extra, &[])
    }

    /// Starts `watch` with variables added to its environment.
    pub fn start_with(manifest: &Path, pdf: &Path, root: &Path, extra: &[&str], env: &[(&str, &str)]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_csr-press"))
            .args(["watch", manifest.to_str().unwrap(), "-o", pdf.to_str().unwrap(), "--root"])
            .arg(root)
            .args(extra)
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn watch");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let watch = Watch { child, lines };
        watch.wait_for("watching for changes");
        watch
    }

    /// Waits for a line containing `needle` (a generous limit only so a
    /// broken watch fails the test instead of hanging it).
    pub fn wait_for(&self, needle: &str) -> String {
        loop {
            match self.lines.recv_timeout(Duration::from_secs(120)) {
                Ok(line) if line.contains(needle) => return line,
                Ok(_) => continue,
                Err(_) => panic!("watch printed no line with {needle:?}"),
            }
        }
    }
}

impl Watch {
    /// The lines printed during the next `span`.
    pub fn lines_during(&self, span: Duration) -> Vec<String> {
        let end = std::time::Instant::now() + span;
        let mut lines = Vec::new();
        while let Some(left) = end.checked_duration_since(std::time::Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(line) => lines.push(line),
                Err(_) => break,
            }
        }
        lines
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
