//! `rampart-lsp`: the language server on stdio (the same as `rampart lsp`).

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    match rampart::lsp::serve_stdio() {
        Ok(ending) => std::process::ExitCode::from(ending.exit_code()),
        Err(e) => {
            eprintln!("rampart-lsp: {e}");
            std::process::ExitCode::from(2)
        }
    }
}
