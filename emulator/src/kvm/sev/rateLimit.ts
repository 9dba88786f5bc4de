// Per-VM throttling of SNP guest requests: Linux's ___ratelimit (lib/ratelimit.c) over the VM's
// clock, with the interval/burst a VM setting (SevVmState.guestRequestThrottle; default
// ratelimit_default_init = 5 s, burst 10, as the SNP series initialised sev->snp_guest_msg_rs).

import type { SevVcpuContext } from '../sevContext';
import { EINVAL, GUEST_REQUEST_THROTTLE_DEFAULT_BURST, GUEST_REQUEST_THROTTLE_DEFAULT_MS,
  INSTRUCTIONS_PER_MS } from './constants';
import { sevVmRuntime } from './state';

const S32_MAX = 0x7fffffff;

/** The VM's clock in ms: the context's, else emulated time from the instruction count. */
export function vmNowMs(ctx: SevVcpuContext): number {
  return ctx.nowMs ? ctx.nowMs() : ctx.regs.icount / INSTRUCTIONS_PER_MS;
}

/**
 * The checks of the proposed KVM_SEV_SNP_SET_REQUEST_THROTTLE_RATE_MS (snp_set_request_throttle_ms,
 * HZ = 1000): interval and burst must be non-zero and fit an s32. Returns 0 or -EINVAL.
 */
export function validateGuestRequestThrottle(intervalMs: number, burst: number): number {
  if (!Number.isInteger(intervalMs) || !Number.isInteger(burst)) return -EINVAL;
  if (intervalMs <= 0 || burst <= 0 || burst > S32_MAX || intervalMs > S32_MAX) return -EINVAL;
  return 0;
}

/**
 * __ratelimit(&sev->snp_guest_msg_rs): the first request opens a window; after `intervalMs` a new
 * window starts; within a window at most `burst` requests pass. interval 0 never throttles.
 */
export function guestRequestAllowed(ctx: SevVcpuContext): boolean {
  const cfg = ctx.vm.guestRequestThrottle ?? { intervalMs: GUEST_REQUEST_THROTTLE_DEFAULT_MS, burst: GUEST_REQUEST_THROTTLE_DEFAULT_BURST };
  if (!cfg.intervalMs) return true;
  const rs = sevVmRuntime(ctx.vm).rateLimit;
  const now = vmNowMs(ctx);
  if (rs.begin === null) rs.begin = now;
  if (rs.begin + cfg.intervalMs < now) { // time_is_before_jiffies(begin + interval)
    rs.begin = now;
    rs.printed = 0;
    rs.missed = 0;
  }
  if (cfg.burst && cfg.burst > rs.printed) {
    rs.printed++;
    return true;
  }
  rs.missed++;
  return false;
}
