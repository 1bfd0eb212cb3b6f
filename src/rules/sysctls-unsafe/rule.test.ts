import { testRule } from '../../../test/support/rule-kit.ts';
import { sysctlsUnsafe } from './rule.ts';

const app = { name: 'app', image: 'nginx:1.27' };
const withSysctls = (...names: string[]) => ({
  securityContext: { sysctls: names.map((name) => ({ name, value: '1' })) },
  containers: [app],
});
const at = (index: number) => `spec.securityContext.sysctls[${index}].name`;

const V1_0 = [
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start',
];
const V1_29 = [
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
];

testRule(sysctlsUnsafe, {
  valid: [
    { name: 'field absent', podSpec: { containers: [app] } },
    { name: 'empty sysctls', podSpec: { securityContext: { sysctls: [] }, containers: [app] } },
    { name: 'null sysctls', podSpec: { securityContext: { sysctls: null }, containers: [app] } },
    { name: 'the v1.0 safe set at the oldest version', version: 'v1.25', podSpec: withSysctls(...V1_0) },
    {
      name: 'ip_local_reserved_ports from v1.27',
      version: 'v1.27',
      podSpec: withSysctls('net.ipv4.ip_local_reserved_ports'),
    },
    { name: 'keepalive and fin_timeout from v1.29', version: 'v1.29', podSpec: withSysctls(...V1_29) },
    {
      name: 'tcp_rmem and tcp_wmem from v1.32',
      version: 'v1.32',
      podSpec: withSysctls('net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem'),
    },
    {
      name: 'tcp_slow_start_after_idle and tcp_notsent_lowat from v1.37',
      version: 'v1.37',
      podSpec: withSysctls('net.ipv4.tcp_slow_start_after_idle', 'net.ipv4.tcp_notsent_lowat'),
    },
    {
      name: 'the whole latest safe set',
      podSpec: withSysctls(
        ...V1_0,
        'net.ipv4.ip_local_reserved_ports',
        ...V1_29,
        'net.ipv4.tcp_rmem',
        'net.ipv4.tcp_wmem',
        'net.ipv4.tcp_slow_start_after_idle',
        'net.ipv4.tcp_notsent_lowat',
      ),
    },
  ],
  invalid: [
    {
      name: 'unsafe sysctls among safe ones',
      podSpec: withSysctls('net.ipv4.tcp_syncookies', 'net.core.somaxconn', 'kernel.msgmax'),
      findings: [
        {
          messageId: 'unsafeSysctl',
          path: at(1),
          container: null,
          data: { sysctl: 'net.core.somaxconn', version: 'v1.37' },
        },
        { messageId: 'unsafeSysctl', path: at(2), container: null, data: { sysctl: 'kernel.msgmax' } },
      ],
    },
    {
      name: 'slash form and other spellings of a safe sysctl are not normalised',
      podSpec: withSysctls('net/ipv4/ip_local_port_range', 'Net.ipv4.tcp_syncookies', ''),
      findings: [
        { messageId: 'unsafeSysctl', path: at(0), data: { sysctl: 'net/ipv4/ip_local_port_range' } },
        { messageId: 'unsafeSysctl', path: at(1), data: { sysctl: 'Net.ipv4.tcp_syncookies' } },
        { messageId: 'unsafeSysctl', path: at(2), data: { sysctl: '' } },
      ],
    },
    {
      name: 'ip_local_reserved_ports before v1.27',
      version: 'v1.26',
      podSpec: withSysctls('net.ipv4.ip_local_reserved_ports'),
      findings: [
        {
          messageId: 'notYetSafe',
          path: at(0),
          data: { sysctl: 'net.ipv4.ip_local_reserved_ports', version: 'v1.26', safeSince: 'v1.27' },
        },
      ],
    },
    {
      name: 'keepalive and fin_timeout before v1.29',
      version: 'v1.28',
      podSpec: withSysctls(...V1_29),
      findings: V1_29.map((sysctl, index) => ({
        messageId: 'notYetSafe',
        path: at(index),
        data: { sysctl, safeSince: 'v1.29' },
      })),
    },
    {
      name: 'tcp_rmem and tcp_wmem before v1.32',
      version: 'v1.31',
      podSpec: withSysctls('net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem'),
      findings: [
        { messageId: 'notYetSafe', path: at(0), data: { sysctl: 'net.ipv4.tcp_rmem', safeSince: 'v1.32' } },
        { messageId: 'notYetSafe', path: at(1), data: { sysctl: 'net.ipv4.tcp_wmem', safeSince: 'v1.32' } },
      ],
    },
    {
      name: 'tcp_slow_start_after_idle and tcp_notsent_lowat before v1.37',
      version: 'v1.36',
      podSpec: withSysctls('net.ipv4.tcp_slow_start_after_idle', 'net.ipv4.tcp_notsent_lowat'),
      findings: [
        {
          messageId: 'notYetSafe',
          path: at(0),
          data: { sysctl: 'net.ipv4.tcp_slow_start_after_idle', version: 'v1.36', safeSince: 'v1.37' },
        },
        {
          messageId: 'notYetSafe',
          path: at(1),
          data: { sysctl: 'net.ipv4.tcp_notsent_lowat', safeSince: 'v1.37' },
        },
      ],
    },
  ],
});
