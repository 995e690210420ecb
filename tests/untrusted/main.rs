//! Hostile and oversized input: every such file becomes a located diagnostic and the scan goes
//! on.

mod large_inputs;
