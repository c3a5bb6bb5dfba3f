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
        /// A stand-in of the Hugging Face Hub for tests: its API (revision, paginated tree
        /// listing), file resolution by redirect to a second (CDN) origin whose signed URLs
        /// expire, gated repositories and a rate-limited mode.
        HubStandin {
            /// A repository and its folder, `owner/name=folder` (repeatable; default:
            /// `demo/scaleedit=public/demo`, or `tests/fixtures` when there is no demo).
            #[arg(long = "repo")]
            repos: Vec<String>,
            /// A repository whose files need the token (repeatable).
            #[arg(long = "gated")]
            gated: Vec<String>,
            /// The token gated repositories accept.
            #[arg(long, default_value = "hf_standin_token")]
            token: String,
            /// Port of the Hub origin (0 picks a free one).
            #[arg(long, default_value_t = 8090)]
            port: u16,
            /// Port of the CDN origin (0 picks a free one).
            #[arg(long, default_value_t = 8091)]
            cdn_port: u16,
            /// Host or address to listen on.
            #[arg(long, default_value = "127.0.0.1")]
            host: String,
            /// Entries per page of a tree listing.
            #[arg(long, default_value_t = 1000)]
            page_size: usize,
            /// Lifetime of signed CDN URLs, in seconds.
            #[arg(long, default_value_t = 3600.0)]
            ttl: f64,
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
        /// Rewrite a shard in the gallery-friendly layout, every value kept: one image per
        /// data page, no dictionary on images, page index, page statistics on the small
        /// columns, row groups of at most 4096 rows or 128 MiB. Written to `<out>.partial`,
        /// verified, then renamed.
        Relayout {
            /// Local path of the Parquet file to read.
            input: String,
            /// Path of the file to write.
            output: PathBuf,
            /// Do not read both files back to compare every value.
            #[arg(long)]
            no_verify: bool,
            /// No progress line.
            #[arg(long)]
            quiet: bool,
        },
        /// Build the static instruction index of a dataset (format: docs/INDEX.md): reads
        /// every shard's small columns, never the images; resumes an interrupted build.
        Index {
            /// The dataset: a folder or URL of its manifest.json, an hf:// path, a file.
            dataset: String,
            /// Folder to write index.json, the term parts and the catalog parts into.
            #[arg(long)]
            out: PathBuf,
            /// Read at most this many shards now, then stop (run again to go on).
            #[arg(long)]
            max_shards: Option<usize>,
            /// Build only share K of N of the shards (K/N, e.g. 2/4: every 4th shard from
            /// the 2nd), to split a build across machines; copy every share's .build/
            /// files into one --out folder and run once more without it to merge.
            #[arg(long, value_parser = cli::index::parse_share)]
            share: Option<(usize, usize)>,
            /// No progress line.
            #[arg(long)]
            quiet: bool,
        },
        /// Search a static index from the terminal: hits, and what the query read.
        Query {
            /// URL or path of the index's index.json.
            index: String,
            /// The query (words, "phrases", -excluded, a trailing prefix).
            query: String,
            /// Hits to show.
            #[arg(long, default_value_t = 20)]
            limit: usize,
            /// Look up a sample by id instead.
            #[arg(long)]
            id: bool,
        },
    }

    #[allow(clippy::too_many_arguments)]
    fn standin(
        repos: Vec<String>,
        gated: Vec<String>,
        token: String,
        port: u16,
        cdn_port: u16,
        host: &str,
        page_size: usize,
        ttl: f64,
        quiet: bool,
    ) -> cli::CliResult<()> {
        use cli::hub_standin::{StandinOptions, StandinRepo};
        let repos = if repos.is_empty() {
            let folder = if std::path::Path::new("public/demo/manifest.json").exists() { "public/demo" } else { "tests/fixtures" };
            vec![format!("demo/scaleedit={folder}")]
        } else {
            repos
        };
        let repos = repos
            .iter()
            .map(|r| {
                let (repo, folder) = r.split_once('=').ok_or_else(|| format!("--repo {r}: expected owner/name=folder"))?;
                Ok(StandinRepo { repo: repo.into(), root: PathBuf::from(folder), gated: gated.iter().any(|g| g == repo) })
            })
            .collect::<Result<Vec<_>, String>>()?;
        if !(ttl.is_finite() && ttl >= 0.0) {
            return Err(format!("--ttl {ttl}: expected seconds").into());
        }
        cli::hub_standin::run(StandinOptions {
            repos,
            token,
            hub_addr: cli::serve::resolve_addr(host, port)?,
            cdn_addr: cli::serve::resolve_addr(host, cdn_port)?,
            page_size,
            ttl: std::time::Duration::from_secs_f64(ttl),
            quiet,
        })
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
            Command::HubStandin { repos, gated, token, port, cdn_port, host, page_size, ttl, quiet } => {
                standin(repos, gated, token, port, cdn_port, &host, page_size, ttl, quiet)
            }
            Command::Inspect { target, seed } => cli::inspect::run(&target, seed),
            Command::Relayout { input, output, no_verify, quiet } => cli::relayout::run(&input, &output, !no_verify, quiet),
            Command::Index { dataset, out, max_shards, share, quiet } => cli::index::run(&cli::index::Options { layout: Default::default(), dataset, out, quiet, max_shards, share }),
            Command::Query { index, query, limit, id } => cli::index::query(&index, &query, limit, id),
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
