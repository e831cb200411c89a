/** The README of the demo workspace: where to look, and what to try. */
export const DEMO_README = `# AAM Trust demo workspace

- The **AAM** view in the activity bar lists the installed packages (\`.aam/packages\`) with
  their verification status. Expand one to see each check.
- \`.aam/aam-lock.yaml\`: hover a package that is not verified to see who signed it and
  which rule rejected it; the quick fix "Trust this signer" edits the policy.
- \`.aam/config.yaml\` and \`~/.aam/config.yaml\`: the trust policy, validated as you type.
- \`packages/demo--my-skill\`: run **AAM: Publish Signed** to sign it (Sigstore or GPG)
  and publish it to the demo registry, or to the team's HTTP registry.
- \`@community/hotfix\` was installed with \`aam-trust install --no-verify\`: it says
  "installed without verification" until you accept it (its row's Accept action).
- \`@demo/abandoned\` was installed before the project blocked it (\`blocked_packages\` in
  \`.aam/config.yaml\`): signed by a trusted signer, it fails as _blocked_ until it is uninstalled.
- **Trust levels**: open the project policy in the form editor (**AAM: Open Trust Policy**)
  and pick Minimal, Moderate, Strict or Maximum at its top: it shows the keys each sets
  and what would fail before you apply it.
- **AAM: Show Compliance Report**: what share of the installed packages is signed, by whom
  and how, with charts; click a bar to list its packages. The same report from the CLI:
  \`aam-trust report --format html --output report.html\`.
- The team's HTTP registry requires approval: \`@team/onboarding\` waits for one. Run
  **AAM: Approve or Reject a Version…** to sign an approval (you are an approver), then
  **AAM: Install Package**. The **Registry Audit Log** view shows every publish and
  approval, with the log's hash chain checked against the registry's signed head; expand
  a \`@team/…\` package to see its registry attestation.
- \`@demo/code-review\` has an update (1.1.0): its row says so. **AAM: Review Update…** shows
  what agents would load differently — the changed skill in the diff editor, the signer,
  signature, attestation and approvals beside it — and installs only when you say so.
- \`@community/house-style\` is signed by a trusted signer, and hides instructions in
  invisible Unicode, an HTML comment, a paragraph in the theme's sidebar colour (the editor's
  background, or nearly, in VS Code's default themes) and white text in a white box: open
  \`.cursor/rules/house-style-style.mdc\` and hover the warnings to read what the agent would
  read. Nested files count too:
  \`services/api/CLAUDE.md\` (Claude Code loads it in that folder) hides a zero-width joiner
  inside a word; the **What Agents Load Here** view lists it beside the deployed copies.
  \`CLAUDE.md\` also holds an AAM section no installed package deploys (\`old-rules\`): the
  packages whose sections sit beside it say so ("a section nobody deploys beside it").
- **Sign in to an HTTP registry** (**AAM: Sign In to an HTTP Registry…**): register or log in
  to the team registry; the status bar shows who is signed in where, and **AAM: Manage
  Registry Tokens…** creates, lists and revokes API tokens.
- Several signers: \`@demo/team-prompts\` needs two trusted signers (\`signature_threshold\`) and
  has them — Alice and the release key, which co-signed the published version; expand it to
  see one row per signature. \`@partner/lint-pack\` is signed by bob@partner.example, whom
  Alice's delegation lets sign \`@partner/*\`: hover it in \`.aam/aam-lock.yaml\`. Run
  **AAM: Co-sign a Published Version…** to add your own signature to another package.
`;
