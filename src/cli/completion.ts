// `ctnet completion bash|zsh|fish`: shell completion generated from the command line's own
// definition (commander), so it never lists a command or a flag ctnet does not have. Project
// names come from `ctnet __projects` (the projects on this host; nothing when not root), files
// from the shell's own file completion, formats from the option's own description.
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import type { Output } from './output.js';

type Kind = 'file' | 'project' | 'words' | 'value' | 'flag';
interface Opt { short?: string; long: string; kind: Kind; words?: string[] }
interface Spec { name: string; opts: Opt[] }

const PROJECTS = 'ctnet __projects 2>/dev/null';

function specOf(program: Command): Spec[] {
  return program.commands.filter((c) => !(c as unknown as { _hidden?: boolean })._hidden).map((c) => ({
    name: c.name(),
    opts: [...c.options.map((o): Opt => {
      // "yaml, json or table (…)": the values of a <format> option, from its description.
      const list = /^(\w+(?:, \w+)*) or (\w+)$/.exec(o.description.split(/[;(]/)[0].trim());
      const words = list ? [...list[1].split(', '), list[2]] : undefined;
      const kind: Kind = /<path>|<plan>/.test(o.flags) ? 'file' : /<name>/.test(o.flags) && o.long !== '--host' ? 'project'
        : /<format>/.test(o.flags) && words ? 'words' : /</.test(o.flags) ? 'value' : 'flag';
      return { ...(o.short ? { short: o.short } : {}), long: o.long!, kind, ...(kind === 'words' ? { words } : {}) };
    }), { long: '--help', kind: 'flag' }],
  }));
}

const names = (o: Opt) => [o.short, o.long].filter((x): x is string => !!x);

function bash(specs: Spec[]): string {
  const cases = specs.filter((s) => s.name !== 'completion').map((s) => {
    const arms: string[] = [];
    const files = s.opts.filter((o) => o.kind === 'file').flatMap(names);
    const projects = s.opts.filter((o) => o.kind === 'project').flatMap(names);
    if (files.length) arms.push(`      ${files.join('|')}) COMPREPLY=($(compgen -f -- "$cur")); compopt -o filenames 2>/dev/null; return ;;`);
    if (projects.length) arms.push(`      ${projects.join('|')}) COMPREPLY=($(compgen -W "$(${PROJECTS})" -- "$cur")); return ;;`);
    for (const o of s.opts.filter((x) => x.kind === 'words')) arms.push(`      ${names(o).join('|')}) COMPREPLY=($(compgen -W "${o.words!.join(' ')}" -- "$cur")); return ;;`);
    const values = s.opts.filter((o) => o.kind === 'value').flatMap(names);
    if (values.length) arms.push(`      ${values.join('|')}) return ;;`);
    return `    ${s.name})\n${arms.length ? `      case "$prev" in\n${arms.join('\n')}\n      esac\n` : ''}      COMPREPLY=($(compgen -W "${s.opts.flatMap(names).join(' ')}" -- "$cur")) ;;`;
  }).join('\n');
  return `# ctnet bash completion: source <(ctnet completion bash), or save it as /etc/bash_completion.d/ctnet
_ctnet() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" cmd="\${COMP_WORDS[1]}"
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "${specs.map((s) => s.name).join(' ')} --help --version" -- "$cur"))
    return
  fi
  case "$cmd" in
${cases}
    completion) COMPREPLY=($(compgen -W "bash zsh fish" -- "$cur")) ;;
  esac
}
complete -F _ctnet ctnet
`;
}

function zsh(specs: Spec[]): string {
  const spec = (o: Opt): string => {
    const what = o.kind === 'file' ? ':file:_files' : o.kind === 'project' ? `:project:(\${(f)"$(${PROJECTS})"})`
      : o.kind === 'words' ? `:${o.long.slice(2)}:(${o.words!.join(' ')})` : o.kind === 'value' ? `:${o.long.slice(2)}:` : '';
    return names(o).map((n) => `'${n}[${o.long.slice(2)}]${what}'`).join(' ');
  };
  const cases = specs.filter((s) => s.name !== 'completion').map((s) => `    ${s.name}) _arguments ${s.opts.map(spec).join(' ')} ;;`).join('\n');
  return `#compdef ctnet
# ctnet zsh completion: ctnet completion zsh > "\${fpath[1]}/_ctnet" (or: source <(ctnet completion zsh))
_ctnet() {
  if (( CURRENT == 2 )); then
    compadd -- ${specs.map((s) => s.name).join(' ')} --help --version
    return
  fi
  local cmd=\${words[2]}
  shift words; (( CURRENT-- ))
  case $cmd in
${cases}
    completion) compadd -- bash zsh fish ;;
  esac
}
compdef _ctnet ctnet 2>/dev/null || true
`;
}

function fish(specs: Spec[]): string {
  const lines = ['# ctnet fish completion: ctnet completion fish > ~/.config/fish/completions/ctnet.fish', 'complete -c ctnet -f',
    `complete -c ctnet -n __fish_use_subcommand -a '${specs.map((s) => s.name).join(' ')}'`,
    "complete -c ctnet -n '__fish_seen_subcommand_from completion' -a 'bash zsh fish'"];
  for (const s of specs) {
    for (const o of s.opts) {
      const extra = o.kind === 'file' ? ' -r -F' : o.kind === 'project' ? ` -r -a '(${PROJECTS})'` : o.kind === 'words' ? ` -r -a '${o.words!.join(' ')}'` : o.kind === 'value' ? ' -r' : '';
      lines.push(`complete -c ctnet -n '__fish_seen_subcommand_from ${s.name}' -l ${o.long.slice(2)}${o.short ? ` -s ${o.short.slice(1)}` : ''}${extra}`);
    }
  }
  return lines.join('\n') + '\n';
}

export function completionCommand(shell: string, program: Command, out: Output): number {
  const gen = { bash, zsh, fish }[shell as 'bash' | 'zsh' | 'fish'];
  if (!gen) throw new UsageError(`completion ${shell}: unknown shell; use bash, zsh or fish`);
  out.log(gen(specOf(program)).trimEnd());
  return 0;
}
