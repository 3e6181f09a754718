//! docs/CLI.md is the help text of every command, kept as a snapshot: this test fails when the
//! help changes and the doc does not. Regenerate with `UPDATE_CLI_DOC=1 cargo test --test cli_doc`.

use clap::CommandFactory;

fn render(cmd: &mut clap::Command, path: &str, out: &mut String) {
    let help = cmd.render_long_help().to_string();
    out.push_str(&format!(
        "## `{path}`\n\n```text\n{}\n```\n\n",
        help.trim_end()
    ));
    let names: Vec<String> = cmd
        .get_subcommands()
        .filter(|s| s.get_name() != "help")
        .map(|s| s.get_name().to_string())
        .collect();
    for name in names {
        if let Some(sub) = cmd.find_subcommand_mut(&name) {
            render(sub, &format!("{path} {name}"), out);
        }
    }
}

#[test]
fn cli_doc_matches_the_help() {
    let mut cmd = honors::cli::Cli::command().term_width(100);
    cmd.build();
    let mut text = String::from(
        "# Command-line reference\n\nGenerated from `honors --help` of every command (a test keeps it current: \
         `UPDATE_CLI_DOC=1 cargo test --test cli_doc` regenerates it). The stable contract that outside scripts \
         rely on is in the design's command-line contract; README.md has a tour by role.\n\n",
    );
    render(&mut cmd, "honors", &mut text);
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/CLI.md");
    if std::env::var_os("UPDATE_CLI_DOC").is_some() {
        std::fs::write(path, &text).unwrap();
    }
    let doc = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        doc == text,
        "docs/CLI.md is out of date: run `UPDATE_CLI_DOC=1 cargo test --test cli_doc`"
    );
    assert!(
        text.contains("Exit codes: 0 ok"),
        "the top-level help must state the exit codes"
    );
}
