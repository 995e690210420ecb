//! The shape of the model a condition sees, and the check of a parsed condition against it:
//! a field that the model cannot have (`container.securityContext.privilegd`) is an error at
//! load time, with the closest field as a suggestion.

use cel::common::ast::{Expr, IdedExpr};

/// What a value of the model can be.
#[derive(Debug)]
pub(crate) enum Shape {
    /// Anything: fields below it are not checked (a Terraform resource, a CRD's spec).
    Any,
    Scalar,
    /// A list of elements of this shape.
    List(&'static Shape),
    /// A map with keys of the user's choosing (labels) and values of this shape.
    Map(&'static Shape),
    /// An object with these fields and no others.
    Object(&'static [(&'static str, &'static Shape)]),
}

use Shape::{Any, List, Map, Object, Scalar};

const STRINGS: Shape = List(&Scalar);
const STRING_MAP: Shape = Map(&Scalar);

const METADATA: Shape = Object(&[
    ("name", &Scalar),
    ("generateName", &Scalar),
    ("namespace", &Scalar),
    ("labels", &STRING_MAP),
    ("annotations", &STRING_MAP),
    ("uid", &Scalar),
    ("resourceVersion", &Scalar),
    ("generation", &Scalar),
    ("creationTimestamp", &Scalar),
    ("deletionTimestamp", &Scalar),
    ("deletionGracePeriodSeconds", &Scalar),
    ("ownerReferences", &List(&Any)),
    ("finalizers", &STRINGS),
    ("managedFields", &List(&Any)),
]);

/// A Kubernetes object: its metadata is checked, the rest depends on the kind.
pub(crate) const OBJECT: Shape = Object(&[
    ("apiVersion", &Scalar),
    ("kind", &Scalar),
    ("metadata", &METADATA),
    ("spec", &Any),
    ("status", &Any),
    ("data", &STRING_MAP),
    ("stringData", &STRING_MAP),
    ("binaryData", &STRING_MAP),
    ("type", &Scalar),
    ("immutable", &Scalar),
    ("rules", &List(&Any)),
    ("subjects", &List(&Any)),
    ("roleRef", &Any),
    ("aggregationRule", &Any),
    ("webhooks", &List(&Any)),
    ("secrets", &List(&Any)),
    ("imagePullSecrets", &List(&Any)),
    ("automountServiceAccountToken", &Scalar),
    ("template", &Any),
    ("items", &List(&Any)),
    ("provisioner", &Scalar),
    ("parameters", &STRING_MAP),
    ("reclaimPolicy", &Scalar),
    ("allowVolumeExpansion", &Scalar),
    ("volumeBindingMode", &Scalar),
    ("allowedTopologies", &List(&Any)),
    ("mountOptions", &STRINGS),
    ("handler", &Scalar),
    ("overhead", &Any),
    ("scheduling", &Any),
    ("value", &Scalar),
    ("globalDefault", &Scalar),
    ("preemptionPolicy", &Scalar),
    ("description", &Scalar),
]);

const CAPABILITIES: Shape = Object(&[("add", &STRINGS), ("drop", &STRINGS)]);
const SECCOMP: Shape = Object(&[("type", &Scalar), ("localhostProfile", &Scalar)]);
const SELINUX: Shape = Object(&[
    ("user", &Scalar),
    ("role", &Scalar),
    ("type", &Scalar),
    ("level", &Scalar),
]);
const WINDOWS: Shape = Object(&[
    ("gmsaCredentialSpecName", &Scalar),
    ("gmsaCredentialSpec", &Scalar),
    ("runAsUserName", &Scalar),
    ("hostProcess", &Scalar),
]);

/// A container's `securityContext`.
pub(crate) const SECURITY_CONTEXT: Shape = Object(&[
    ("privileged", &Scalar),
    ("allowPrivilegeEscalation", &Scalar),
    ("readOnlyRootFilesystem", &Scalar),
    ("runAsNonRoot", &Scalar),
    ("runAsUser", &Scalar),
    ("runAsGroup", &Scalar),
    ("capabilities", &CAPABILITIES),
    ("seccompProfile", &SECCOMP),
    ("appArmorProfile", &SECCOMP),
    ("seLinuxOptions", &SELINUX),
    ("windowsOptions", &WINDOWS),
    ("procMount", &Scalar),
]);

const PORT: Shape = Object(&[
    ("name", &Scalar),
    ("containerPort", &Scalar),
    ("hostPort", &Scalar),
    ("hostIP", &Scalar),
    ("protocol", &Scalar),
]);
const ENV: Shape = Object(&[("name", &Scalar), ("value", &Scalar), ("valueFrom", &Any)]);
const RESOURCES: Shape = Object(&[
    ("limits", &STRING_MAP),
    ("requests", &STRING_MAP),
    ("claims", &List(&Any)),
]);
const MOUNT: Shape = Object(&[
    ("name", &Scalar),
    ("mountPath", &Scalar),
    ("subPath", &Scalar),
    ("subPathExpr", &Scalar),
    ("readOnly", &Scalar),
    ("recursiveReadOnly", &Scalar),
    ("mountPropagation", &Scalar),
]);

/// A container, init container or ephemeral container.
pub(crate) const CONTAINER: Shape = Object(&[
    ("name", &Scalar),
    ("image", &Scalar),
    ("imagePullPolicy", &Scalar),
    ("command", &STRINGS),
    ("args", &STRINGS),
    ("workingDir", &Scalar),
    ("ports", &List(&PORT)),
    ("env", &List(&ENV)),
    ("envFrom", &List(&Any)),
    ("resources", &RESOURCES),
    ("resizePolicy", &List(&Any)),
    ("restartPolicy", &Scalar),
    ("volumeMounts", &List(&MOUNT)),
    ("volumeDevices", &List(&Any)),
    ("livenessProbe", &Any),
    ("readinessProbe", &Any),
    ("startupProbe", &Any),
    ("lifecycle", &Any),
    ("terminationMessagePath", &Scalar),
    ("terminationMessagePolicy", &Scalar),
    ("securityContext", &SECURITY_CONTEXT),
    ("stdin", &Scalar),
    ("stdinOnce", &Scalar),
    ("tty", &Scalar),
    ("targetContainerName", &Scalar),
]);

const POD_SECURITY_CONTEXT: Shape = Object(&[
    ("runAsNonRoot", &Scalar),
    ("runAsUser", &Scalar),
    ("runAsGroup", &Scalar),
    ("fsGroup", &Scalar),
    ("fsGroupChangePolicy", &Scalar),
    ("supplementalGroups", &List(&Scalar)),
    ("supplementalGroupsPolicy", &Scalar),
    (
        "sysctls",
        &List(&Object(&[("name", &Scalar), ("value", &Scalar)])),
    ),
    ("seccompProfile", &SECCOMP),
    ("appArmorProfile", &SECCOMP),
    ("seLinuxOptions", &SELINUX),
    ("seLinuxChangePolicy", &Scalar),
    ("windowsOptions", &WINDOWS),
]);

/// A pod spec.
pub(crate) const POD_SPEC: Shape = Object(&[
    ("containers", &List(&CONTAINER)),
    ("initContainers", &List(&CONTAINER)),
    ("ephemeralContainers", &List(&CONTAINER)),
    ("volumes", &List(&Any)),
    ("securityContext", &POD_SECURITY_CONTEXT),
    ("serviceAccountName", &Scalar),
    ("serviceAccount", &Scalar),
    ("automountServiceAccountToken", &Scalar),
    ("hostNetwork", &Scalar),
    ("hostPID", &Scalar),
    ("hostIPC", &Scalar),
    ("hostUsers", &Scalar),
    ("shareProcessNamespace", &Scalar),
    ("hostname", &Scalar),
    ("subdomain", &Scalar),
    ("hostAliases", &List(&Any)),
    ("nodeName", &Scalar),
    ("nodeSelector", &STRING_MAP),
    ("affinity", &Any),
    ("tolerations", &List(&Any)),
    ("topologySpreadConstraints", &List(&Any)),
    ("schedulerName", &Scalar),
    ("priorityClassName", &Scalar),
    ("priority", &Scalar),
    ("preemptionPolicy", &Scalar),
    ("runtimeClassName", &Scalar),
    ("restartPolicy", &Scalar),
    ("terminationGracePeriodSeconds", &Scalar),
    ("activeDeadlineSeconds", &Scalar),
    ("dnsPolicy", &Scalar),
    ("dnsConfig", &Any),
    ("imagePullSecrets", &List(&Any)),
    ("enableServiceLinks", &Scalar),
    ("os", &Object(&[("name", &Scalar)])),
    ("overhead", &STRING_MAP),
    ("readinessGates", &List(&Any)),
    ("resourceClaims", &List(&Any)),
    ("resources", &RESOURCES),
    ("schedulingGates", &List(&Any)),
    ("setHostnameAsFQDN", &Scalar),
]);

const FLAGS: Shape = Map(&Scalar);

/// A Dockerfile instruction.
pub(crate) const INSTRUCTION: Shape = Object(&[
    ("keyword", &Scalar),
    ("arguments", &Scalar),
    ("flags", &FLAGS),
    ("exec", &STRINGS),
    ("line", &Scalar),
]);

/// A Dockerfile build stage.
pub(crate) const STAGE: Shape = Object(&[
    ("index", &Scalar),
    ("name", &Scalar),
    ("image", &Scalar),
    ("user", &Scalar),
    ("instructions", &List(&INSTRUCTION)),
]);

/// A problem with a condition: its message and the byte range in the condition's text.
#[derive(Debug)]
pub(crate) struct SchemaError {
    pub message: String,
    pub offset: Option<(u32, u32)>,
    /// The word at fault, found from `offset` on (a field's name after its `.`).
    pub word: Option<String>,
}

/// Checks a parsed condition against the variables a target has. Comprehension variables
/// take the element shape of the list they range over.
pub(crate) struct Checker<'a> {
    pub vars: &'a [(&'static str, &'static Shape)],
    pub offsets: &'a dyn Fn(u64) -> Option<(u32, u32)>,
    pub errors: Vec<SchemaError>,
}

/// Variables bound by comprehensions on the way down.
type Scope<'s> = Vec<(String, &'static Shape)>;

impl Checker<'_> {
    pub(crate) fn check(&mut self, e: &IdedExpr) {
        let mut scope = Scope::new();
        self.walk(e, &mut scope);
    }

    /// The shape of `e` where it can be told (a variable or a chain of fields on one).
    fn walk(&mut self, e: &IdedExpr, scope: &mut Scope<'_>) -> Option<&'static Shape> {
        match &e.expr {
            Expr::Ident(name) => {
                if let Some((_, s)) = scope.iter().rev().find(|(n, _)| n == name) {
                    return Some(s);
                }
                if let Some((_, s)) = self.vars.iter().find(|(n, _)| n == name) {
                    return Some(s);
                }
                // Comprehension accumulators (`@result`, `__result__`) are the library's own.
                if !name.starts_with('@') && !name.starts_with("__") {
                    let known = self.vars.iter().map(|(n, _)| *n);
                    let hint = hint(crate::suggest::did_you_mean(name, known));
                    let names: Vec<&str> = self.vars.iter().map(|(n, _)| *n).collect();
                    self.error(
                        e.id,
                        format!(
                            "unknown variable `{name}`{hint}; this rule's conditions see {}",
                            names.join(", ")
                        ),
                    );
                }
                None
            }
            Expr::Select(sel) => {
                let shape = self.walk(&sel.operand, scope)?;
                self.field(e.id, shape, &sel.field)
            }
            Expr::Call(call) => {
                let target = call.target.as_ref().and_then(|t| self.walk(t, scope));
                let mut args: Vec<Option<&'static Shape>> = Vec::new();
                for a in &call.args {
                    args.push(self.walk(a, scope));
                }
                match (call.func_name.as_str(), target, args.as_slice()) {
                    ("_[_]", _, [Some(List(el)), _]) => Some(el),
                    ("_[_]", _, [Some(Map(v)), _]) => Some(v),
                    ("_[_]", _, [Some(Any), _]) => Some(&Any),
                    _ => None,
                }
            }
            Expr::Comprehension(c) => {
                let range = self.walk(&c.iter_range, scope);
                let element = match range {
                    Some(List(el)) => Some(*el),
                    Some(Map(_)) | Some(Object(_)) => Some(&Scalar),
                    Some(Any) => Some(&Any),
                    _ => None,
                };
                self.walk(&c.accu_init, scope);
                let depth = scope.len();
                if let Some(el) = element {
                    scope.push((c.iter_var.clone(), el));
                } else {
                    scope.push((c.iter_var.clone(), &Any));
                }
                if let Some(v2) = &c.iter_var2 {
                    scope.push((v2.clone(), &Any));
                }
                scope.push((c.accu_var.clone(), &Any));
                self.walk(&c.loop_cond, scope);
                self.walk(&c.loop_step, scope);
                self.walk(&c.result, scope);
                scope.truncate(depth);
                None
            }
            Expr::List(l) => {
                for x in &l.elements {
                    self.walk(x, scope);
                }
                None
            }
            Expr::Map(m) => {
                for entry in &m.entries {
                    if let cel::common::ast::EntryExpr::MapEntry(me) = &entry.expr {
                        self.walk(&me.key, scope);
                        self.walk(&me.value, scope);
                    }
                }
                None
            }
            Expr::Struct(_) => {
                self.error(e.id, "message construction is not supported".into());
                None
            }
            Expr::Literal(_) | Expr::Unspecified => None,
        }
    }

    fn field(&mut self, id: u64, shape: &'static Shape, field: &str) -> Option<&'static Shape> {
        match shape {
            Any => Some(&Any),
            Map(v) => Some(v),
            Object(fields) => match fields.iter().find(|(n, _)| *n == field) {
                Some((_, s)) => Some(s),
                None => {
                    let hint = hint(crate::suggest::did_you_mean(
                        field,
                        fields.iter().map(|(n, _)| *n),
                    ));
                    self.error(id, format!("unknown field `{field}`{hint}"));
                    if let Some(last) = self.errors.last_mut() {
                        last.word = Some(field.to_string());
                    }
                    None
                }
            },
            Scalar | List(_) => {
                self.error(
                    id,
                    format!("`{field}` is selected on a value that has no fields"),
                );
                None
            }
        }
    }

    fn error(&mut self, id: u64, message: String) {
        let offset = (self.offsets)(id);
        self.errors.push(SchemaError {
            message,
            offset,
            word: None,
        });
    }
}

fn hint(word: Option<&str>) -> String {
    word.map(|w| format!("; did you mean `{w}`?"))
        .unwrap_or_default()
}

/// The shape at a dotted path below `shape`, for `report-at` and fixes; numeric segments index
/// lists. `Err` names the first segment the model cannot have.
pub(crate) fn at_path(shape: &'static Shape, path: &[String]) -> Result<(), String> {
    let mut s = shape;
    for seg in path {
        s = match s {
            Any => return Ok(()),
            Map(v) => v,
            List(el) if seg.parse::<usize>().is_ok() => el,
            // A path through a list (a Terraform block, a container list) takes its first
            // element.
            List(el) => match el {
                Object(fields) => match fields.iter().find(|(n, _)| n == seg) {
                    Some((_, f)) => f,
                    None => return Err(unknown(seg, fields)),
                },
                Any => return Ok(()),
                _ => return Err(format!("`{seg}` is selected on a value that has no fields")),
            },
            Object(fields) => match fields.iter().find(|(n, _)| n == seg) {
                Some((_, f)) => f,
                None => return Err(unknown(seg, fields)),
            },
            Scalar => return Err(format!("`{seg}` is selected on a value that has no fields")),
        };
    }
    Ok(())
}

fn unknown(seg: &str, fields: &[(&'static str, &'static Shape)]) -> String {
    let h = hint(crate::suggest::did_you_mean(
        seg,
        fields.iter().map(|(n, _)| *n),
    ));
    format!("unknown field `{seg}`{h}")
}

/// How deeply comprehensions (`all`, `exists`, `map`, `filter`) nest in `e`: each level
/// multiplies the work of an evaluation by the length of a list.
pub(crate) fn comprehension_depth(e: &IdedExpr) -> usize {
    match &e.expr {
        Expr::Comprehension(c) => {
            let inner = [
                &c.iter_range,
                &c.accu_init,
                &c.loop_cond,
                &c.loop_step,
                &c.result,
            ]
            .into_iter()
            .map(comprehension_depth)
            .max()
            .unwrap_or(0);
            // The range is evaluated once, outside the loop.
            (1 + inner).max(comprehension_depth(&c.iter_range))
        }
        Expr::Select(s) => comprehension_depth(&s.operand),
        Expr::Call(c) => c
            .target
            .iter()
            .map(|t| comprehension_depth(t))
            .chain(c.args.iter().map(comprehension_depth))
            .max()
            .unwrap_or(0),
        Expr::List(l) => l
            .elements
            .iter()
            .map(comprehension_depth)
            .max()
            .unwrap_or(0),
        Expr::Map(m) => m
            .entries
            .iter()
            .map(|en| match &en.expr {
                cel::common::ast::EntryExpr::MapEntry(me) => {
                    comprehension_depth(&me.key).max(comprehension_depth(&me.value))
                }
                cel::common::ast::EntryExpr::StructField(f) => comprehension_depth(&f.value),
            })
            .max()
            .unwrap_or(0),
        _ => 0,
    }
}
