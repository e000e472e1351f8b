//! `balie-relay`: see `balie-relay --help`.

use clap::Parser as _;

fn main() -> anyhow::Result<()> {
    balie_relay::cli::run(balie_relay::cli::Cli::parse())
}
