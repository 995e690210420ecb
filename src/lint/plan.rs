//! `terraform show -json` plans: the resources of `planned_values` are checked with the
//! Terraform rules, and each finding is moved to the `.tf` source that declares the resource
//! when the address can be mapped back (the root module's directory, and local module calls
//! named in the plan's `configuration`).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{finish, parse_error, run_rules, settings, FileResult, FileStatus};
use crate::config::Config;
use crate::model::{Node, Resource, ResourceKind, Value};
use crate::parse::{terraform as tfparse, yaml};
use crate::rule::{Context, Domain, Finding, Related, Rule};
use crate::source::{read_text, FileKind, SourceFile, Span};
use crate::terraform::{Module, ModuleFile};

/// Resources of one module of the plan.
struct Group {
    /// `""` for the root module, `module.a.module.b` otherwise.
    address: String,
    /// The directory of its `.tf` files, when known.
    dir: Option<PathBuf>,
    /// In a module `terraform init` downloaded: the root module's call it is reached through
    /// (`module.vpc`), where its findings are reported.
    remote_top: Option<String>,
    resources: Vec<Resource>,
}

/// Where the modules of a plan's configuration are on disk.
struct Layout {
    root: PathBuf,
    /// `.terraform/modules/modules.json`: call keys (`a.b`) and directories.
    downloaded: Vec<(String, PathBuf)>,
}

/// The place of one module of the plan while collecting.
struct Place<'a> {
    address: &'a str,
    dir: Option<PathBuf>,
    /// `modules.json` key: call names joined by dots.
    key: String,
    remote_top: Option<String>,
}

pub(super) fn lint_plan(
    path: &Path,
    text: &str,
    config: &Config,
    rules: &[&dyn Rule],
) -> FileResult {
    let (docs, error) = yaml::parse_stream(text, yaml::Limits::default());
    let mut files = vec![SourceFile::new(path, FileKind::TerraformPlan, text)];
    let mut findings = Vec::new();
    if let Some(e) = error {
        findings.extend(parse_error(
            format!("Terraform plan JSON does not parse: {}", e.message),
            0,
            e.span,
            config,
        ));
    }
    let plan = docs.first().map(|d| &d.root);
    let planned = plan.and_then(|p| p.at(&["planned_values", "root_module"]));
    let Some(planned) = planned else {
        let unit: Arc<[SourceFile]> = Arc::from(files);
        let status = if findings.is_empty() {
            FileStatus::Skipped("not a Terraform plan (no planned_values); produce one with `terraform show -json plan.out`".into())
        } else {
            FileStatus::Failed
        };
        return finish(&unit, 0, status, findings, &[], config);
    };
    let root_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let configuration = plan.and_then(|p| p.at(&["configuration", "root_module"]));
    let mut groups = Vec::new();
    let layout = Layout {
        downloaded: crate::terraform::modules::downloaded_modules(&root_dir),
        root: root_dir.clone(),
    };
    let place = Place {
        address: "",
        dir: Some(root_dir),
        key: String::new(),
        remote_top: None,
    };
    collect(planned, place, &layout, configuration, &mut groups, 0);

    let settings = settings(config);
    let mut by_group = Vec::new();
    let plan_only: Arc<[SourceFile]> = Arc::from(files.clone());
    for group in &groups {
        let cx = Context {
            files: &plan_only,
            resources: &group.resources,
            dockerfile: None,
            scripts: &[],
            settings: &settings,
            set: &crate::k8s::NO_SET,
        };
        by_group.push(run_rules(
            &cx,
            Domain::Terraform,
            &|m| config.is_enabled(m),
            rules,
        ));
    }
    findings.extend(to_sources(
        &groups,
        by_group,
        &layout,
        &mut files,
        config.max_file_size,
    ));
    let mut seen = HashSet::new();
    findings.retain(|f| seen.insert((f.meta.code, f.file, f.span, f.message.clone())));
    let resources: Vec<Resource> = groups.into_iter().flat_map(|g| g.resources).collect();
    let unit: Arc<[SourceFile]> = Arc::from(files);
    finish(&unit, 0, FileStatus::Scanned, findings, &resources, config)
}

const MAX_DEPTH: usize = 16;

/// Each group's findings moved to the declaration in the `.tf` source (read into `files`); a
/// downloaded module's to the root module's call it is reached through.
fn to_sources(
    groups: &[Group],
    by_group: Vec<Vec<Finding>>,
    layout: &Layout,
    files: &mut Vec<SourceFile>,
    max_size: u64,
) -> Vec<Finding> {
    let boundary = crate::terraform::modules::ReadBoundary::around(&layout.root, &[]);
    let sources: Vec<Vec<Resource>> = groups
        .iter()
        .map(|g| {
            g.dir
                .as_deref()
                .map(|d| declarations(d, &boundary, files, max_size))
                .unwrap_or_default()
        })
        .collect();
    let mut out = Vec::new();
    for ((group, found), declared) in groups.iter().zip(by_group).zip(&sources) {
        for f in found {
            let f = to_source(f, group, declared);
            let call = group
                .remote_top
                .as_ref()
                .and_then(|top| sources[0].iter().find(|r| &r.name == top));
            out.push(match call {
                Some(call) => at_call(f, group, call),
                None => f,
            });
        }
    }
    out
}

/// A finding in a downloaded module, moved to the root module's call (its place in the module
/// kept as a related location).
fn at_call(mut f: Finding, group: &Group, call: &Resource) -> Finding {
    // Without the module's source on disk, the place is the plan's value.
    let message = if f.file == 0 {
        format!("planned value in {}", group.address)
    } else {
        format!("in {} here", group.address)
    };
    f.related.insert(
        0,
        Related {
            file: f.file,
            span: f.span,
            message,
        },
    );
    f.file = call.file;
    f.span = call.head;
    f.scopes = vec![call.span];
    f
}

/// The resources of a `planned_values` module and its child modules.
fn collect(
    module: &Node,
    place: Place,
    layout: &Layout,
    configuration: Option<&Node>,
    out: &mut Vec<Group>,
    depth: usize,
) {
    if depth > MAX_DEPTH {
        return;
    }
    let resources = module
        .get("resources")
        .map(Node::as_list)
        .unwrap_or_default()
        .iter()
        .filter_map(|r| planned_resource(r, place.address))
        .collect();
    out.push(Group {
        address: place.address.to_string(),
        dir: place.dir.clone(),
        remote_top: place.remote_top.clone(),
        resources,
    });
    for child in module
        .get("child_modules")
        .map(Node::as_list)
        .unwrap_or_default()
    {
        let Some(child_address) = child.get("address").and_then(Node::as_str) else {
            continue;
        };
        // `module.a.module.b[0]` → the call `b` of module `a`.
        let call = child_address
            .rsplit("module.")
            .next()
            .unwrap_or_default()
            .split('[')
            .next()
            .unwrap_or_default();
        let call_config = configuration.and_then(|c| c.at(&["module_calls", call]));
        let child_place = child_place(&place, layout, child_address, call, call_config);
        collect(
            child,
            child_place,
            layout,
            call_config.and_then(|c| c.get("module")),
            out,
            depth + 1,
        );
    }
}

/// A resource of `planned_values`, as the Terraform rules see one from source.
fn planned_resource(r: &Node, address: &str) -> Option<Resource> {
    let ty = r.get("type").and_then(Node::as_str)?;
    let name = r.get("name").and_then(Node::as_str)?;
    let block = match r.get("mode").and_then(Node::as_str) {
        Some("data") => "data",
        _ => "resource",
    };
    let full = if block == "data" {
        format!("data.{ty}.{name}")
    } else {
        format!("{ty}.{name}")
    };
    let body = r
        .get("values")
        .cloned()
        .unwrap_or_else(|| Node::new(Value::Map(Vec::new()), r.span));
    Some(Resource {
        kind: ResourceKind::Terraform {
            block: block.to_string(),
            type_name: ty.to_string(),
            name: name.to_string(),
        },
        name: full,
        span: r.span,
        head: r.get("address").map(|a| a.span).unwrap_or(r.span),
        body,
        provenance: (!address.is_empty()).then(|| address.to_string()),
        file: 0,
    })
}

/// Where the child module `child_address` (the call `call` of the module at `parent`) is:
/// a local source below the parent's directory, or a module `terraform init` downloaded
/// (found through `modules.json`, its findings reported at the root module's call).
fn child_place<'a>(
    parent: &Place<'_>,
    layout: &Layout,
    child_address: &'a str,
    call: &str,
    call_config: Option<&Node>,
) -> Place<'a> {
    let key = if parent.key.is_empty() {
        call.to_string()
    } else {
        format!("{}.{call}", parent.key)
    };
    let source = call_config
        .and_then(|c| c.get("source"))
        .and_then(Node::as_str);
    let (dir, remote_top) = match (&parent.dir, source) {
        (Some(d), Some(source)) if source.starts_with("./") || source.starts_with("../") => (
            Some(crate::terraform::modules::normalize(&d.join(source))),
            parent.remote_top.clone(),
        ),
        (_, Some(_)) => {
            let downloaded = layout
                .downloaded
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, d)| crate::terraform::modules::normalize(&layout.root.join(d)))
                .filter(|d| d.is_dir());
            let top = parent.remote_top.clone().or_else(|| {
                let first = child_address
                    .split('.')
                    .take(2)
                    .collect::<Vec<_>>()
                    .join(".");
                Some(first.split('[').next().unwrap_or_default().to_string())
            });
            (downloaded, top)
        }
        _ => (None, parent.remote_top.clone()),
    };
    Place {
        address: child_address,
        dir,
        key,
        remote_top,
    }
}

/// The resources declared in a directory's `.tf` files, evaluated with their defaults; the
/// files are added to the unit.
fn declarations(
    dir: &Path,
    boundary: &crate::terraform::modules::ReadBoundary,
    files: &mut Vec<SourceFile>,
    max: u64,
) -> Vec<Resource> {
    let start = files.len();
    for p in crate::terraform::modules::tf_files(dir, boundary) {
        if let Ok(text) = read_text(&p, max) {
            files.push(SourceFile::new(p, FileKind::Terraform, text));
        }
    }
    let parsed: Vec<_> = files[start..]
        .iter()
        .map(|f| tfparse::parse_named(&f.path, &f.text))
        .collect();
    let names: Vec<String> = files[start..].iter().map(SourceFile::file_name).collect();
    let module_files: Vec<ModuleFile> = parsed
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            p.as_ref().ok().map(|tf| ModuleFile {
                file: start + i,
                name: &names[i],
                tf,
            })
        })
        .collect();
    let module = Module::new(&module_files);
    module_files
        .iter()
        .flat_map(|f| module.resources(f))
        .collect()
}

enum Step {
    Key(String),
    Index(usize),
}

/// A finding on the plan moved to the `.tf` declaration of its resource: onto the same
/// attribute when the source has it, else onto the resource's header. The plan's location
/// stays as related location.
fn to_source(mut f: Finding, group: &Group, sources: &[Resource]) -> Finding {
    if !group.address.is_empty() {
        f.message = format!("{}: {}", group.address, f.message);
        f.resource = f.resource.map(|r| format!("{}.{r}", group.address));
    }
    let Some(planned) = group
        .resources
        .iter()
        .find(|r| r.span.start <= f.span.start && f.span.end <= r.span.end)
    else {
        return f;
    };
    let Some(declared) = sources
        .iter()
        .find(|s| s.kind == planned.kind && s.name == planned.name)
    else {
        return f;
    };
    let mut steps = Vec::new();
    path_to(&planned.body, f.span, &mut steps);
    let mut node = &declared.body;
    let mut span = declared.head;
    for step in &steps {
        let next = match step {
            Step::Key(k) => node.get(k),
            Step::Index(i) => node.as_list().get(*i),
        };
        match next {
            Some(n) if !n.is_unknown() || matches!(step, Step::Key(_)) => {
                node = n;
                span = n.span;
            }
            _ => break,
        }
    }
    f.related.insert(
        0,
        Related {
            file: 0,
            span: f.span,
            message: format!("planned value of {}", planned.name),
        },
    );
    f.fixes.clear();
    f.file = declared.file;
    f.span = span;
    f.scopes = vec![declared.span];
    f
}

/// The keys and indices leading from `node` to the value at `span`.
fn path_to(node: &Node, span: Span, out: &mut Vec<Step>) -> bool {
    if node.span == span {
        return true;
    }
    match &node.value {
        Value::Map(entries) => {
            for e in entries {
                if contains(e.value.span, span) || e.key_span == span {
                    out.push(Step::Key(e.key.clone()));
                    if e.key_span == span || path_to(&e.value, span, out) {
                        return true;
                    }
                    out.pop();
                }
            }
        }
        Value::List(items) => {
            for (i, item) in items.iter().enumerate() {
                if contains(item.span, span) {
                    out.push(Step::Index(i));
                    if path_to(item, span, out) {
                        return true;
                    }
                    out.pop();
                }
            }
        }
        _ => {}
    }
    contains(node.span, span)
}

fn contains(outer: Span, inner: Span) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}
