// What a runtime's RuntimeDefault profile does with the system calls a trace showed, given the
// container's capabilities. The profiles are the shipped upstream data (data/runtime-defaults.json);
// their conditions follow moby's semantics, which containerd's code matches: a rule applies when the
// container has every `includes.caps`, none of `excludes.caps`, and the architecture is allowed. Pure.
import type { FamilyName } from './arch.ts';
import { FAMILIES } from './arch.ts';
import type { DefaultProfileRule, RuntimeDefaultProfile, SeccompArg } from './data.ts';
import type { ObservedSyscall } from './strace.ts';

/** The capabilities containerd (and CRI-O, Docker) give a container that asks for none. */
export const RUNTIME_DEFAULT_CAPABILITIES = [
  'CAP_AUDIT_WRITE',
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_MKNOD',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_RAW',
  'CAP_SETFCAP',
  'CAP_SETGID',
  'CAP_SETPCAP',
  'CAP_SETUID',
  'CAP_SYS_CHROOT',
] as const;

/** `SYS_ADMIN`, `cap_sys_admin` and `CAP_SYS_ADMIN` are one capability. */
export function normalizeCapability(value: string): string {
  const upper = value.trim().toUpperCase();
  return upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
}

/** A rule as runc receives it: conditions resolved away. */
export interface MaterializedRule {
  names: string[];
  action: string;
  errnoRet?: number;
  args?: SeccompArg[];
}

export interface MaterializedProfile {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures: string[];
  syscalls: MaterializedRule[];
}

export class RuntimeDefaultUnavailableError extends Error {}

function architecturesFor(profile: RuntimeDefaultProfile, family: FamilyName): string[] {
  const wanted = FAMILIES[family].scmp[0] as string;
  if (profile.archMap) {
    const entry = profile.archMap.find((a) => a.architecture === wanted);
    return entry ? [entry.architecture, ...(entry.subArchitectures ?? [])] : [wanted];
  }
  const architectures = profile.architectures ?? [];
  if (!architectures.includes(wanted)) {
    throw new RuntimeDefaultUnavailableError(
      `the shipped ${profile.module} profile was exported for ${profile.goarch ?? 'another architecture'} (its ` +
        `rules depend on the architecture it is built for), not ${family}: use --runtime docker`,
    );
  }
  return architectures;
}

function applies(rule: DefaultProfileRule, caps: ReadonlySet<string>, family: FamilyName): boolean {
  const arch = FAMILIES[family].mobyArches;
  const inc = rule.includes;
  if (inc?.caps && !inc.caps.every((c) => caps.has(c))) return false;
  if (inc?.arches && !inc.arches.some((a) => arch.includes(a))) return false;
  // minKernel: Kubernetes' supported kernels are all newer than any minKernel in the data (4.8).
  const exc = rule.excludes;
  if (exc?.caps && exc.caps.some((c) => caps.has(c))) return false;
  if (exc?.arches && exc.arches.some((a) => arch.includes(a))) return false;
  return true;
}

/** The profile the runtime would hand runc for a container with these capabilities. */
export function materializeRuntimeDefault(
  profile: RuntimeDefaultProfile,
  capabilities: readonly string[],
  family: FamilyName,
): MaterializedProfile {
  const caps = new Set(capabilities.map(normalizeCapability));
  const syscalls: MaterializedRule[] = [];
  for (const rule of profile.syscalls) {
    if (!applies(rule, caps, family)) continue;
    const out: MaterializedRule = { names: [...rule.names], action: rule.action };
    if (rule.errnoRet !== undefined) out.errnoRet = rule.errnoRet;
    if (rule.args && rule.args.length > 0) out.args = rule.args.map((a) => ({ ...a }));
    syscalls.push(out);
  }
  const result: MaterializedProfile = {
    defaultAction: profile.defaultAction,
    architectures: architecturesFor(profile, family),
    syscalls,
  };
  if (profile.defaultErrnoRet !== undefined) result.defaultErrnoRet = profile.defaultErrnoRet;
  return result;
}

const ENOSYS = 38;

export type Verdict =
  /** allowed outright */
  | { kind: 'allowed' }
  /** allowed for some argument values only; `seen` says how the traced arguments fare */
  | { kind: 'conditional'; seen: 'allowed' | 'denied' | 'unknown'; detail: string }
  /** answered with ENOSYS so libc falls back (clone3 → clone): the program keeps working */
  | { kind: 'enosys' }
  | { kind: 'denied'; detail: string };

export interface SyscallVerdict {
  name: string;
  verdict: Verdict;
}

// Constants strace prints for the arguments the default profiles test (x86_64/arm64 values; the same on
// both). clone's namespace flags are the only bits its rule masks.
const CLONE_NAMESPACE_FLAGS: Record<string, number> = {
  CLONE_NEWNS: 0x00020000,
  CLONE_NEWCGROUP: 0x02000000,
  CLONE_NEWUTS: 0x04000000,
  CLONE_NEWIPC: 0x08000000,
  CLONE_NEWUSER: 0x10000000,
  CLONE_NEWPID: 0x20000000,
  CLONE_NEWNET: 0x40000000,
};
const ADDRESS_FAMILIES: Record<string, number> = {
  AF_UNSPEC: 0,
  AF_UNIX: 1,
  AF_LOCAL: 1,
  AF_INET: 2,
  AF_AX25: 3,
  AF_IPX: 4,
  AF_APPLETALK: 5,
  AF_NETROM: 6,
  AF_BRIDGE: 7,
  AF_ATMPVC: 8,
  AF_X25: 9,
  AF_INET6: 10,
  AF_ROSE: 11,
  AF_DECnet: 12,
  AF_NETBEUI: 13,
  AF_SECURITY: 14,
  AF_KEY: 15,
  AF_NETLINK: 16,
  AF_ROUTE: 16,
  AF_PACKET: 17,
  AF_ASH: 18,
  AF_ECONET: 19,
  AF_ATMSVC: 20,
  AF_RDS: 21,
  AF_SNA: 22,
  AF_IRDA: 23,
  AF_PPPOX: 24,
  AF_WANPIPE: 25,
  AF_LLC: 26,
  AF_IB: 27,
  AF_MPLS: 28,
  AF_CAN: 29,
  AF_TIPC: 30,
  AF_BLUETOOTH: 31,
  AF_IUCV: 32,
  AF_RXRPC: 33,
  AF_ISDN: 34,
  AF_PHONET: 35,
  AF_IEEE802154: 36,
  AF_CAIF: 37,
  AF_ALG: 38,
  AF_NFC: 39,
  AF_VSOCK: 40,
  AF_KCM: 41,
  AF_QIPCRTR: 42,
  AF_SMC: 43,
  AF_XDP: 44,
  AF_MCTP: 45,
};
const PERSONAS: Record<string, number> = { PER_LINUX: 0, PER_LINUX32: 8, UNAME26: 0x20000 };

/** The value of the argument a rule tests, from strace's text of it; undefined when it cannot be read. */
export function argumentValue(name: string, text: string): number | undefined {
  const parts = text.split('|').map((p) => p.trim());
  if (name === 'clone' || name === 'clone3') {
    // Only the namespace bits matter to the mask; other flags and the exit signal are zero under it.
    let value = 0;
    for (const p of parts) value |= CLONE_NAMESPACE_FLAGS[p] ?? 0;
    return value >>> 0;
  }
  const table = name === 'socket' ? ADDRESS_FAMILIES : name === 'personality' ? PERSONAS : {};
  let value = 0;
  for (const p of parts) {
    if (/^(?:0x[0-9a-f]+|\d+)$/i.test(p)) value |= Number(p);
    else if (p in table) value |= table[p] as number;
    else return undefined;
  }
  return value >>> 0;
}

function argMatches(arg: SeccompArg, value: number): boolean {
  switch (arg.op) {
    case 'SCMP_CMP_EQ':
      return value === arg.value;
    case 'SCMP_CMP_NE':
      return value !== arg.value;
    case 'SCMP_CMP_LT':
      return value < arg.value;
    case 'SCMP_CMP_LE':
      return value <= arg.value;
    case 'SCMP_CMP_GT':
      return value > arg.value;
    case 'SCMP_CMP_GE':
      return value >= arg.value;
    case 'SCMP_CMP_MASKED_EQ':
      // 32-bit JS bit operations suffice: every mask in the data fits in 32 bits.
      return (value & arg.value) >>> 0 === (arg.valueTwo ?? 0);
    default:
      return false;
  }
}

function describeArgs(args: readonly SeccompArg[]): string {
  return args
    .map((a) => {
      const op = a.op.replace('SCMP_CMP_', '');
      return op === 'MASKED_EQ'
        ? `arg${a.index} & 0x${a.value.toString(16)} == ${a.valueTwo ?? 0}`
        : `arg${a.index} ${op} ${a.value}`;
    })
    .join(' and ');
}

/** Only the first argument is ever tested by the shipped profiles, and strace's sample is of that one. */
function sampleAllowed(
  rules: readonly MaterializedRule[],
  name: string,
  sample: string,
): boolean | undefined {
  const value = argumentValue(name, sample);
  if (value === undefined) return undefined;
  return rules.some((r) => (r.args ?? []).every((a) => (a.index === 0 ? argMatches(a, value) : true)));
}

export function judgeSyscall(profile: MaterializedProfile, call: ObservedSyscall): Verdict {
  const rules = profile.syscalls.filter((r) => r.names.includes(call.name));
  const allow = rules.filter((r) => r.action === 'SCMP_ACT_ALLOW');
  if (allow.some((r) => !r.args || r.args.length === 0)) return { kind: 'allowed' };
  if (allow.length > 0) {
    const detail = allow.map((r) => describeArgs(r.args ?? [])).join(', or ');
    const testsFirstOnly = allow.every((r) => (r.args ?? []).every((a) => a.index === 0));
    if (!testsFirstOnly || call.argSamples.length === 0)
      return { kind: 'conditional', seen: 'unknown', detail };
    const results = call.argSamples.map((s) => ({ s, ok: sampleAllowed(allow, call.name, s) }));
    const denied = results.filter((r) => r.ok === false).map((r) => r.s);
    if (denied.length > 0)
      return {
        kind: 'denied',
        detail: `${call.name}(${denied.join('; ')}) is outside what it allows (${detail})`,
      };
    if (results.some((r) => r.ok === undefined)) return { kind: 'conditional', seen: 'unknown', detail };
    return { kind: 'conditional', seen: 'allowed', detail };
  }
  if (rules.some((r) => r.action === 'SCMP_ACT_ERRNO' && r.errnoRet === ENOSYS)) return { kind: 'enosys' };
  const own = rules[0];
  if (own)
    return { kind: 'denied', detail: `${own.action}${own.errnoRet !== undefined ? ` ${own.errnoRet}` : ''}` };
  return profile.defaultAction === 'SCMP_ACT_ALLOW'
    ? { kind: 'allowed' }
    : { kind: 'denied', detail: `not in the profile (${profile.defaultAction})` };
}

export interface CheckResult {
  observed: string[];
  deniedByRuntimeDefault: string[];
  runtimeDefaultEnough: boolean;
  /** allowed only for some argument values: what the trace showed */
  conditional: { name: string; seen: 'allowed' | 'unknown'; condition: string }[];
  /** answered with ENOSYS, so libc falls back (not counted as denied) */
  enosys: string[];
  denied: { name: string; why: string }[];
}

export function checkAgainstRuntimeDefault(
  profile: MaterializedProfile,
  observed: readonly ObservedSyscall[],
): CheckResult {
  const result: CheckResult = {
    observed: observed.map((o) => o.name),
    deniedByRuntimeDefault: [],
    runtimeDefaultEnough: true,
    conditional: [],
    enosys: [],
    denied: [],
  };
  for (const call of observed) {
    const verdict = judgeSyscall(profile, call);
    if (verdict.kind === 'denied') {
      result.deniedByRuntimeDefault.push(call.name);
      result.denied.push({ name: call.name, why: verdict.detail });
    } else if (verdict.kind === 'enosys') {
      result.enosys.push(call.name);
    } else if (verdict.kind === 'conditional') {
      result.conditional.push({
        name: call.name,
        seen: verdict.seen === 'allowed' ? 'allowed' : 'unknown',
        condition: verdict.detail,
      });
    }
  }
  result.runtimeDefaultEnough = result.deniedByRuntimeDefault.length === 0;
  return result;
}
