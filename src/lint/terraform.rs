//! A Terraform root module, linted as Terraform runs it: its files, the variables given on the
//! command line, and every module it calls, each evaluated with the arguments of its call.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::rc::Rc;
use std::sync::Arc;

use super::{
    finish, kubernetes_provider, parse_error, run_rules, settings, FileResult, FileStatus,
    UnavailableModule,
};
use crate::config::Config;
use crate::model::Resource;
use crate::parse::terraform::{TfError, TfFile};
use crate::rule::{Context, Domain, Finding, Related, Rule, RuleMeta, RuleSettings};
use crate::rules::{EvaluationBudgetExceeded, ModuleNotFound};
use crate::source::{SourceFile, Span};
use crate::terraform::modules::{
    call_instances, Missing, ModuleNode, ModuleTree, TfEnv, TfVar, MAX_CALL_INSTANCES,
};
use crate::terraform::{
    cli_value, tfvars_values, Budget, Exhausted, Inputs, Limit, Module, ModuleFile, MAX_BUILT,
    MAX_STEPS,
};

/// Lint the root module made of `files`; `configs[i]` is the configuration of file `i`, or
/// `None` when it is read for context only.
pub(super) fn lint_module(
    files: Vec<SourceFile>,
    configs: &[Option<Arc<Config>>],
    rules: &[&dyn Rule],
    env: &TfEnv,
) -> Vec<FileResult> {
    lint_module_within(files, configs, rules, env, &Rc::new(Budget::new()))
}

/// [`lint_module`] within `budget`: one budget holds for the root module and every instance
/// of every module it calls. Past it, values are unknown and the expression where it ran out
/// gets an [`EvaluationBudgetExceeded`] diagnostic (at the call in the root module when it is
/// in a called module).
pub(crate) fn lint_module_within(
    files: Vec<SourceFile>,
    configs: &[Option<Arc<Config>>],
    rules: &[&dyn Rule],
    env: &TfEnv,
    budget: &Rc<Budget>,
) -> Vec<FileResult> {
    let max_size = configs
        .iter()
        .flatten()
        .next()
        .map(|c| c.max_file_size)
        .unwrap_or(u64::MAX);
    let ModuleTree {
        files,
        parsed,
        nodes,
        var_files,
        missing,
        root_files,
    } = ModuleTree::read(files, env, max_size);
    let unit: Arc<[SourceFile]> = Arc::from(files);
    let default_config = Config::default();
    let config = configs
        .iter()
        .flatten()
        .next()
        .map_or(&default_config, |c| &**c);
    let names: Vec<String> = unit.iter().map(SourceFile::file_name).collect();
    let settings = settings(config);
    let enabled = |m: &RuleMeta| configs.iter().flatten().any(|c| c.is_enabled(m));
    let eval = Evaluation {
        unit: &unit,
        parsed: &parsed,
        names: &names,
        nodes: &nodes,
        root_files,
        env,
        budget,
        rules,
        settings: &settings,
        enabled: &enabled,
    };
    let (mut findings, root_resources) = eval.run(eval.root_inputs(&var_files));
    let (not_found, unavailable) = not_read(missing, config);
    findings.extend(not_found);
    if let Some(exhausted) = budget.exhausted() {
        if config.is_enabled(&EvaluationBudgetExceeded::META) {
            findings.extend(budget_exceeded(exhausted, &nodes, &parsed, configs));
        }
    }
    // Instances of one `count`/`for_each` resource, and calls of one module, share their
    // source: each distinct result is reported once.
    let mut seen = HashSet::new();
    findings.retain(|f| seen.insert((f.meta.code, f.file, f.span, f.message.clone())));
    let mut results = report(&unit, &parsed, configs, findings, &root_resources);
    for m in unavailable {
        // On the result of the file that holds the call, when that file is reported.
        if let Some(r) = results.iter_mut().find(|r| r.index == m.file) {
            r.unavailable_modules.push(m);
        }
    }
    results
}

/// One evaluated instance of a module.
struct Instance {
    resources: Vec<Resource>,
    /// The Kubernetes objects of its Kubernetes provider resources.
    objects: Vec<Resource>,
    found: Vec<Finding>,
}

/// What identifies a finding of a module, to compare what a call reports with what the
/// module reports on its own.
type Key<'k> = (&'k str, usize, Span, String);

/// The evaluation of a module tree: each module's resources with the rules run over them.
struct Evaluation<'e> {
    unit: &'e Arc<[SourceFile]>,
    parsed: &'e [Result<TfFile, TfError>],
    names: &'e [String],
    nodes: &'e [ModuleNode],
    root_files: usize,
    env: &'e TfEnv,
    budget: &'e Rc<Budget>,
    rules: &'e [&'e dyn Rule],
    settings: &'e RuleSettings,
    enabled: &'e dyn Fn(&RuleMeta) -> bool,
}

impl Evaluation<'_> {
    /// The root module's inputs: `--var-file` and `--var` in order, later ones winning.
    fn root_inputs(&self, var_files: &[usize]) -> Inputs {
        let mut inputs = Inputs {
            root: self.env.root.clone(),
            dir: Some(self.nodes[0].dir.clone()),
            ..Inputs::default()
        };
        let mut next_file = var_files.iter();
        for var in &self.env.vars {
            match var {
                TfVar::File(_) => {
                    let file = *next_file.next().unwrap_or(&usize::MAX);
                    if let Some(Ok(tf)) = self.parsed.get(file) {
                        inputs.values.extend(tfvars_values(tf, file, self.budget));
                    }
                }
                TfVar::Set(name, value) => {
                    inputs.values.push((name.clone(), cli_value(value), None))
                }
            }
        }
        inputs
    }

    fn module_files(&self, range: Range<usize>) -> Vec<ModuleFile<'_>> {
        range
            .filter_map(|i| {
                self.parsed[i].as_ref().ok().map(|tf| ModuleFile {
                    file: i,
                    name: &self.names[i],
                    tf,
                })
            })
            .collect()
    }

    /// The resources of one instance of a module, the Kubernetes objects of the Kubernetes
    /// provider's resources among them, and what the rules find in both.
    fn instance(&self, files: &[ModuleFile<'_>], inputs: &Inputs) -> Instance {
        let module = Module::with_budget(files, inputs, self.budget.clone());
        let resources: Vec<Resource> = files.iter().flat_map(|f| module.resources(f)).collect();
        let cx = Context {
            files: self.unit,
            resources: &resources,
            dockerfile: None,
            scripts: &[],
            settings: self.settings,
            set: &crate::k8s::NO_SET,
        };
        let mut found = run_rules(&cx, Domain::Terraform, self.enabled, self.rules);
        let (objects, in_objects) = kubernetes_provider::check(&cx, self.enabled, self.rules);
        found.extend(in_objects);
        Instance {
            resources,
            objects,
            found,
        }
    }

    /// Evaluate every module of the tree: the root once, a called module once per instance of
    /// its call (`count`/`for_each`). The findings, and the root module's resources with its
    /// Kubernetes objects (where suppression annotations are read).
    fn run(&self, root_inputs: Inputs) -> (Vec<Finding>, Vec<Resource>) {
        let mut per_module: Vec<Vec<Resource>> = Vec::with_capacity(self.nodes.len());
        let mut root_objects = Vec::new();
        // What each local module reports on its own (with its defaults), by its first file.
        let mut own_findings: HashMap<usize, HashSet<Key<'static>>> = HashMap::new();
        let mut findings = Vec::new();
        for (index, node) in self.nodes.iter().enumerate() {
            if index > 0 && self.budget.exhausted().is_some() {
                // Past the budget, called modules are not evaluated.
                per_module.push(Vec::new());
                continue;
            }
            let input_sets: Vec<Inputs> = match node.parent {
                None => vec![root_inputs.clone()],
                Some(parent) => call_instances(&per_module[parent], &node.call, self.root_files)
                    .into_iter()
                    .take(MAX_CALL_INSTANCES)
                    .map(|values| Inputs {
                        values,
                        called: true,
                        dir: Some(node.dir.clone()),
                        root: self.env.root.clone(),
                    })
                    .collect(),
            };
            let files = self.module_files(node.files.clone());
            let mut resources: Vec<Resource> = Vec::new();
            let mut found = Vec::new();
            for (n, inputs) in input_sets.iter().enumerate() {
                if n > 0 && self.budget.exhausted().is_some() {
                    break;
                }
                let instance = self.instance(&files, inputs);
                found.extend(instance.found);
                resources.extend(instance.resources);
                if index == 0 {
                    root_objects.extend(instance.objects);
                }
            }
            if index == 0 {
                findings.extend(found);
            } else if !found.is_empty() {
                // What a local module's own scan reports (with its defaults) is left to that
                // scan; what only this call brings about (a `count` it turns on, a value it
                // passes) is reported at the call.
                let own = if node.remote {
                    HashSet::new()
                } else {
                    own_findings
                        .entry(node.files.start)
                        .or_insert_with(|| self.standalone(node, &files))
                        .clone()
                };
                findings.extend(found.into_iter().filter_map(|f| {
                    let key = (f.meta.code, f.file, f.span, f.message.clone());
                    if own.contains(&key) {
                        return None;
                    }
                    at_call_site(f, node, self.root_files)
                }));
            }
            per_module.push(resources);
        }
        let mut root = per_module.swap_remove(0);
        root.extend(root_objects);
        (findings, root)
    }

    /// What a called module reports on its own, evaluated with its defaults.
    fn standalone(&self, node: &ModuleNode, files: &[ModuleFile<'_>]) -> HashSet<Key<'static>> {
        let inputs = Inputs {
            dir: Some(node.dir.clone()),
            root: self.env.root.clone(),
            ..Inputs::default()
        };
        self.instance(files, &inputs)
            .found
            .into_iter()
            .map(|f| (f.meta.code, f.file, f.span, f.message))
            .collect()
    }
}

/// The calls (file and source) whose module is not read, each once: [`ModuleNotFound`]
/// findings when the configuration asks for that rule by code or name, otherwise entries for
/// the scan's one note about them (none when the rule is ignored).
fn not_read(missing: Vec<Missing>, config: &Config) -> (Vec<Finding>, Vec<UnavailableModule>) {
    let mut findings = Vec::new();
    let mut notes = Vec::new();
    if !config.is_enabled(&ModuleNotFound::META) {
        return (findings, notes);
    }
    let as_findings = config.asks_for(&ModuleNotFound::META);
    let mut noted = HashSet::new();
    for Missing {
        file,
        span,
        source,
        outside,
    } in missing
    {
        if !noted.insert((file, source.clone())) {
            continue;
        }
        let module = UnavailableModule {
            source,
            file,
            span,
            outside,
        };
        if as_findings {
            let message = module.message();
            findings.push(Finding::new(&ModuleNotFound::META, file, span, message));
        } else {
            notes.push(module);
        }
    }
    (findings, notes)
}

/// The result of each reported file: its findings and parse error through the common tail.
fn report(
    unit: &Arc<[SourceFile]>,
    parsed: &[Result<TfFile, TfError>],
    configs: &[Option<Arc<Config>>],
    findings: Vec<Finding>,
    root_resources: &[Resource],
) -> Vec<FileResult> {
    let mut per_file: Vec<Vec<Finding>> = vec![Vec::new(); unit.len()];
    for f in findings {
        per_file[f.file].push(f);
    }
    let mut out = Vec::new();
    for (i, mut findings) in per_file.into_iter().enumerate() {
        let Some(Some(config)) = configs.get(i) else {
            continue;
        };
        if parsed[i].as_ref().is_ok_and(|tf| tf.json_map.is_some()) {
            // Fixes are written as HCL: none for a JSON configuration file.
            for f in &mut findings {
                f.fixes.clear();
            }
        }
        if let Err(e) = &parsed[i] {
            findings.extend(parse_error(
                format!("Terraform does not parse: {}", e.message),
                i,
                e.span,
                config,
            ));
        }
        let status = if parsed[i].is_ok() {
            FileStatus::Scanned
        } else {
            FileStatus::Failed
        };
        out.push(finish(unit, i, status, findings, root_resources, config));
    }
    out
}

/// Where the evaluation budget ran out, reported at that expression when its file is reported,
/// else at the root module's call that leads to it.
fn budget_exceeded(
    exhausted: Exhausted,
    tree: &[ModuleNode],
    parsed: &[Result<TfFile, TfError>],
    configs: &[Option<Arc<Config>>],
) -> Option<Finding> {
    let reported = |file: usize| configs.get(file).is_some_and(Option::is_some);
    let file = exhausted.file?;
    let (file, span, subject) = if reported(file) {
        let span = match parsed
            .get(file)
            .and_then(|p| p.as_ref().ok()?.json_map.as_ref())
        {
            Some(map) => map.map(exhausted.span),
            None => exhausted.span,
        };
        (file, span, "this expression")
    } else {
        let (file, span) = tree
            .iter()
            .find(|n| n.parent.is_some() && n.files.contains(&file))
            .and_then(|n| n.top)
            .filter(|(top, _)| reported(*top))?;
        (file, span, "the module called here")
    };
    let what = match exhausted.limit {
        Limit::Size => format!("builds more than the {} MiB of values", MAX_BUILT >> 20),
        Limit::Steps => format!("takes more than the {MAX_STEPS} steps"),
    };
    Some(Finding::new(
        &EvaluationBudgetExceeded::META,
        file,
        span,
        format!(
            "evaluating {subject} {what} allowed for a Terraform module and the modules it calls: its value and those evaluated after it are unknown"
        ),
    ))
}

/// A finding on a resource of a called module, as the caller sees it. Caused by an argument
/// (its value came from a root module file): reported at that argument, with the use in the
/// module as related location. Otherwise it is reported at the call (`module.x: …`) with the
/// module's line as related location.
fn at_call_site(mut f: Finding, node: &ModuleNode, root_files: usize) -> Option<Finding> {
    let mut inside = Related {
        file: f.file,
        span: f.span,
        message: format!("used in {} here", node.address),
    };
    f.fixes.clear();
    f.resource = f.resource.map(|r| format!("{}.{r}", node.address));
    f.provenance = Some(node.address.clone());
    if let Some(i) = f.related.iter().position(|r| r.file < root_files) {
        let origin = f.related.remove(i);
        f.file = origin.file;
        f.span = origin.span;
        f.message = format!("{}: {}", node.address, f.message);
        f.related.insert(0, inside);
        f.scopes = node.top.map(|(_, s)| vec![s]).unwrap_or_default();
        return Some(f);
    }
    let (file, head) = node.top?;
    inside.message = format!("in {} here", node.address);
    f.file = file;
    f.span = head;
    f.message = format!("{}: {}", node.address, f.message);
    f.related.retain(|r| r.file >= root_files);
    f.related.insert(0, inside);
    f.scopes = vec![head];
    Some(f)
}
