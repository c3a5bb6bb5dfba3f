//! `gallery`: the native command line of ScaleEdit Gallery.
#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    native::main()
}

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::path::PathBuf;
    use std::process::ExitCode;

    use clap::{Parser, Subcommand};
    use gallery::cli;

    #[derive(Parser)]
    #[command(name = "gallery", about = "ScaleEdit Gallery command line", version)]
    struct Args {
        #[command(subcommand)]
        command: Command,
    }

    #[derive(Subcommand)]
    enum Command {
        /// Write the bundled demo dataset (deterministic).
        Demo {
            /// Folder of source photographs.
            #[arg(long, default_value = "src/cli/demo/photos")]
            photos: PathBuf,
            /// Output folder.
            #[arg(long, default_value = "public/demo")]
            out: PathBuf,
        },
        /// Serve a folder over HTTP, honouring Range requests (e.g. the built app).
        Serve {
            /// Folder to serve.
            #[arg(default_value = "dist")]
            root: PathBuf,
            /// Port to listen on (0 picks a free one).
            #[arg(long, default_value_t = 8080)]
            port: u16,
            /// Host or address to listen on.
            #[arg(long, default_value = "127.0.0.1")]
            host: String,
            /// Add CORS headers (Access-Control-Allow-Origin: *) and answer preflights.
            #[arg(long)]
            cors: bool,
            /// Answer 200 with the full body even when a Range was asked for.
            #[arg(long)]
            ignore_range: bool,
            /// Do not print a line per request.
            #[arg(long)]
            quiet: bool,
        },
        /// Show a shard's layout (row groups, image pages, page index, dictionary, codec)
        /// and what showing a random pair and a grid of 24 costs on it.
        Inspect {
            /// URL (http, https) or local path of a Parquet file.
            target: String,
            /// Seed of the random pair (default: from the clock).
            #[arg(long)]
            seed: Option<u64>,
        },
    }

    pub fn main() -> ExitCode {
        let args = Args::parse();
        let result = match args.command {
            Command::Demo { photos, out } => cli::demo::write_demo(&photos, &out),
            Command::Serve {
                root,
                port,
                host,
                cors,
                ignore_range,
                quiet,
            } => cli::serve::resolve_addr(&host, port).and_then(|addr| {
                cli::serve::run(cli::serve::ServeOptions {
                    root,
                    addr,
                    cors,
                    ignore_range,
                    quiet,
                })
            }),
            Command::Inspect { target, seed } => cli::inspect::run(&target, seed),
        };
        match result {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("gallery: {e}");
                ExitCode::FAILURE
            }
        }
    }
}
