//! The command line's parts: its arguments, the scan with its fixes, the rule catalogue and
//! the reports it writes.

pub(crate) mod args;
pub(crate) mod catalog;
pub(crate) mod output;
pub(crate) mod scan;
pub(crate) mod test;
