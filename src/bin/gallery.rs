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
    }

    pub fn main() -> ExitCode {
        let args = Args::parse();
        let result = match args.command {
            Command::Demo { photos, out } => cli::demo::write_demo(&photos, &out),
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
