use super::super::helpers::stage_of;
use crate::fix::{Applicability, Edit, Fix};
use crate::rule::{Check, Context, Domain, Finding, FixAvailability, Severity};
use crate::shell::basename;
use crate::source::Span;

crate::declare_rule! {
    /// ## What it flags
    /// Files made writable by every user of the container: `chmod 777`, `chmod 666`, any
    /// octal mode with the write bit for others (`o+w`, `a+w`, `a=rwx` in symbolic form), and
    /// the same modes in `COPY --chmod` / `ADD --chmod`. Modes with the sticky bit (`1777`,
    /// the mode of `/tmp`) are not flagged: on a shared scratch directory no user can remove
    /// or replace another's files.
    ///
    /// No established scanner checks this.
    ///
    /// ## Why it matters
    /// A world-writable binary, script or configuration file lets any process in the
    /// container, whatever user it runs as, change what the application executes or trusts:
    /// a foothold gained through one service becomes persistence and privilege inside the
    /// container. `777` is almost always a shortcut for a missing `chown`.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN chmod -R 777 /app
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// RUN chown -R 10001:10001 /app/data && chmod -R 755 /app
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix clears the others-write bit (`777` → `775`); a process running as a
    /// user outside the owning group can no longer write there.
    ///
    /// ## References
    /// - https://docs.docker.com/reference/dockerfile/#copy---chmod
    /// - CWE-732: Incorrect Permission Assignment for Critical Resource
    pub struct WorldWritable {
        code: "DOCKER-014",
        name: "world-writable",
        title: "Files made writable by every user",
        domain: Domain::Dockerfile,
        tags: &["dockerfile", "least-privilege", "shell"],
        severity: Severity::Medium,
        fix: FixAvailability::Sometimes,
        compliance: &["CWE-732"],
        references: &["https://docs.docker.com/reference/dockerfile/#copy---chmod"],
    }
}

/// Does the mode give others write access? `Some(replacement)` for octal modes.
fn world_writable(mode: &str) -> Option<Option<String>> {
    if !mode.is_empty() && mode.len() <= 4 && mode.chars().all(|c| c.is_digit(8)) {
        let last = mode.chars().last()?.to_digit(8)?;
        // A sticky world-writable directory (`1777`, like /tmp) is the standard shared
        // scratch space: users cannot remove or rename each other's files.
        let sticky = mode.len() == 4 && mode.chars().next()?.to_digit(8)? & 1 == 1;
        if last & 2 == 0 || sticky {
            return None;
        }
        let mut fixed = mode[..mode.len() - 1].to_string();
        fixed.push(char::from_digit(last & !2, 8)?);
        return Some(Some(fixed));
    }
    // Symbolic: clauses separated by commas, `[ugoa]*[+=][rwxXst]*`.
    let writable = mode.split(',').any(|clause| {
        let op = clause.find(['+', '=']);
        let Some(op) = op else { return false };
        let who = &clause[..op];
        let perms = &clause[op + 1..];
        (who.contains('o') || who.contains('a')) && perms.contains('w')
    });
    writable.then_some(None)
}

impl Check for WorldWritable {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(df) = cx.dockerfile else { return };
        let mut found: Vec<(usize, String, Span, Option<String>)> = Vec::new();
        for (i, script) in cx.scripts {
            for cmd in &script.commands {
                if cmd.program().map(|p| basename(&p.text)) != Some("chmod") {
                    continue;
                }
                // Options start with `-`; so do modes that only remove bits (`-w`).
                let mode = cmd.args().iter().find(|w| !w.text.starts_with('-'));
                if let Some(mode) = mode {
                    if let Some(fixed) = world_writable(&mode.text) {
                        found.push((*i, format!("`chmod {}`", mode.text), mode.span, fixed));
                    }
                }
            }
        }
        for (i, ins) in df.instructions.iter().enumerate() {
            if !matches!(ins.keyword.as_str(), "COPY" | "ADD") {
                continue;
            }
            for flag in ins.flags.iter().filter(|f| f.name == "chmod") {
                if let Some(fixed) = world_writable(&flag.value) {
                    let what = format!("`{} --chmod={}`", ins.keyword, flag.value);
                    found.push((i, what, flag.value_span(), fixed));
                }
            }
        }
        for (i, what, span, fixed) in found {
            let ins = &df.instructions[i];
            let Some(stage) = stage_of(cx, ins) else {
                continue;
            };
            let fix = fixed.map(|mode| {
                Fix::new(
                    format!("Use mode {mode} (no write access for others)"),
                    Applicability::Unsafe,
                    vec![Edit::replace(span, mode)],
                )
            });
            out.push(
                Finding::on(
                    &Self::META,
                    stage,
                    span,
                    format!("{what} makes files writable by every user in the container"),
                )
                .within(ins.span)
                .with_fix(fix),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::world_writable;

    #[test]
    fn modes() {
        assert_eq!(world_writable("777"), Some(Some("775".into())));
        assert_eq!(world_writable("0666"), Some(Some("0664".into())));
        assert_eq!(world_writable("1777"), None);
        assert_eq!(world_writable("2777"), Some(Some("2775".into())));
        assert_eq!(world_writable("o+w"), Some(None));
        assert_eq!(world_writable("u+x,a=rwx"), Some(None));
        for ok in ["755", "0644", "u+w", "g+w", "+x", "o-w", "a+rx", "ugo-w"] {
            assert_eq!(world_writable(ok), None, "{ok}");
        }
    }
}
