//! Property tests of the fuzz entry points: byte ↔ UTF-16 ↔ line/column conversions agree; every reported range lies
//! on character boundaries inside its file, whatever edits are made to a real file; fixes
//! applied to edited files leave files that parse. Also replays the inputs the fuzzers found
//! (fuzz/regressions/TARGET/*) and runs each fuzz entry point over the fixtures.

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::fuzz;
use crate::source::FileKind;
use proptest::prelude::*;

/// The repository: fixtures, examples and the fuzzers' regressions.
fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Characters that exercise every width: ASCII, 2-, 3- and 4-byte UTF-8 (2 UTF-16 units),
/// line breaks of both kinds, tabs.
fn tricky_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => proptest::char::range('a', 'z'),
        1 => Just('\n'),
        1 => Just('\r'),
        1 => Just('\t'),
        1 => Just(' '),
        1 => Just('é'),
        1 => Just('€'),
        1 => Just('😀'),
        1 => Just('\u{200b}'),
        1 => Just(':'),
        1 => Just('"'),
    ]
}

fn tricky_text(max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(tricky_char(), 0..max).prop_map(|c| c.into_iter().collect())
}

proptest! {
    #[test]
    fn positions_round_trip_in_every_unit(text in tricky_text(200)) {
        for offset in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
            fuzz::assert_positions(&text, offset);
        }
    }
}

/// The fixtures the edits start from: one of each kind, with findings and fixes.
fn seeds() -> Vec<(PathBuf, FileKind, String)> {
    let root = root();
    [
        (
            "testdata/K8S-001/positive/deployment.yaml",
            FileKind::Kubernetes,
        ),
        ("examples/shop/deploy/api.yaml", FileKind::Kubernetes),
        (
            "examples/shop/services/api/Dockerfile",
            FileKind::Dockerfile,
        ),
        ("examples/shop/infra/main.tf", FileKind::Terraform),
    ]
    .into_iter()
    .map(|(p, k)| {
        let path = root.join(p);
        let text = std::fs::read_to_string(&path).unwrap();
        (PathBuf::from(p), k, text)
    })
    .collect()
}

/// An edit: at a fraction of the text, delete up to `del` characters and insert `ins`.
#[derive(Debug, Clone)]
struct Edit {
    at: f64,
    del: usize,
    ins: String,
}

fn edit() -> impl Strategy<Value = Edit> {
    (0.0..1.0f64, 0usize..8, tricky_text(6)).prop_map(|(at, del, ins)| Edit { at, del, ins })
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut t = text.to_string();
    for e in edits {
        let mut at = (t.len() as f64 * e.at) as usize;
        while !t.is_char_boundary(at) {
            at -= 1;
        }
        let end = t[at..]
            .char_indices()
            .nth(e.del)
            .map(|(i, _)| at + i)
            .unwrap_or(t.len());
        t.replace_range(at..end, &e.ins);
    }
    t
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn edited_files_report_ranges_on_character_boundaries_and_fixes_reparse(
        seed in 0usize..4,
        edits in proptest::collection::vec(edit(), 0..6),
    ) {
        let (path, kind, text) = &seeds()[seed];
        let edited = apply(text, &edits);
        let config = Config::default();
        let result = crate::lint::lint_one(crate::lint::Unit::file(path, &edited, *kind, &config));
        fuzz::check_result(&result);
        prop_assert!(!result.findings.iter().any(|f| f.meta.code == "RAMPART-003"));
        fuzz::check_fixes(&result, &config);
    }
}

/// Inputs the fuzzers once crashed on, kept after the fix.
#[test]
fn fuzz_regressions_replay() {
    let dir = root().join("fuzz/regressions");
    let mut replayed = 0;
    for (target, run) in [
        ("yaml", fuzz::yaml as fn(&[u8])),
        ("hcl", fuzz::hcl),
        ("dockerfile", fuzz::dockerfile),
        ("terraform_module", fuzz::terraform_module),
        ("lint", fuzz::lint),
    ] {
        for entry in std::fs::read_dir(dir.join(target)).into_iter().flatten() {
            let path = entry.unwrap().path();
            run(&std::fs::read(&path).unwrap());
            replayed += 1;
        }
    }
    eprintln!("replayed {replayed} fuzz regression input(s)");
}

/// Every fuzz entry point holds on every fixture.
#[test]
fn fuzz_entry_points_hold_on_the_fixtures() {
    let mut files = Vec::new();
    collect(&root().join("testdata"), &mut files);
    collect(&root().join("examples"), &mut files);
    assert!(files.len() > 100);
    for f in files {
        let bytes = std::fs::read(&f).unwrap();
        if bytes.len() > 64 << 10 {
            continue;
        }
        let Some(kind) = FileKind::from_path(&f) else {
            continue;
        };
        let pick = match kind {
            FileKind::Kubernetes => {
                fuzz::yaml(&bytes);
                0u8
            }
            FileKind::Dockerfile => {
                fuzz::dockerfile(&bytes);
                1
            }
            FileKind::Terraform => {
                fuzz::hcl(&bytes);
                fuzz::terraform_module(&bytes);
                2
            }
            FileKind::TerraformPlan => 3,
        };
        let mut input = vec![pick];
        input.extend_from_slice(&bytes);
        fuzz::lint(&input);
    }
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = entry.path();
        if p.is_dir() {
            collect(&p, out);
        } else {
            out.push(p);
        }
    }
}
