// The embedded DNS server's public surface, for `ctnet watch` and `ctnet dns`.
export { dnsConfigOf, parseResolvConf, type DnsConfig, type DnsZone, type DnsRecord } from './config.js';
export { startDns, type DnsServer } from './server.js';
