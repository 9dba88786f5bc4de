/* Runs single x86-64 instructions natively and prints RAX/RBX/RCX/RDX/RFLAGS after each one.
 *
 * Protocol (one vector per line, all numbers hex without 0x):
 *   stdin : <code bytes> <rax> <rbx> <rcx> <rdx> <rflags>
 *   stdout: <rax> <rbx> <rcx> <rdx> <rflags>   or   DE   (divide error, #DE -> SIGFPE)
 * Any other signal (SIGILL, SIGSEGV, ...) or a malformed line aborts with a message on stderr and
 * exit status 2, so the generator never records a vector it did not really run.
 *
 * The instruction is copied into an RWX page followed by RET (C3); run_insn (below) loads the four
 * registers, loads RFLAGS with POPFQ, CALLs the page, and saves RFLAGS with PUSHFQ before anything
 * else can change it. CALL, RET and MOV do not modify RFLAGS (SDM Vol. 2A "Flags Affected").
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

struct cpu_state {
  uint64_t in_rax, in_rbx, in_rcx, in_rdx, in_rflags; /* offsets 0..32 */
  uint64_t out_rax, out_rbx, out_rcx, out_rdx, out_rflags; /* offsets 40..72 */
};

void run_insn(struct cpu_state *state, void *code);

/* rdi = state, rsi = code. r12/r13 hold them across the call because the tested instructions only
 * touch RAX, RBX, RCX, RDX (and their 8/16/32-bit parts). */
__asm__(
    ".text\n"
    ".globl run_insn\n"
    ".type run_insn, @function\n"
    "run_insn:\n"
    "  push %rbx\n"
    "  push %rbp\n"
    "  push %r12\n"
    "  push %r13\n"
    "  mov %rdi, %r12\n"
    "  mov %rsi, %r13\n"
    "  mov 0(%r12), %rax\n"
    "  mov 8(%r12), %rbx\n"
    "  mov 16(%r12), %rcx\n"
    "  mov 24(%r12), %rdx\n"
    "  pushq 32(%r12)\n"
    "  popfq\n"
    "  call *%r13\n"
    "  pushfq\n"
    "  popq 72(%r12)\n"
    "  cld\n" /* the ABI requires DF=0 on return; the saved copy above is what we report */
    "  mov %rax, 40(%r12)\n"
    "  mov %rbx, 48(%r12)\n"
    "  mov %rcx, 56(%r12)\n"
    "  mov %rdx, 64(%r12)\n"
    "  pop %r13\n"
    "  pop %r12\n"
    "  pop %rbp\n"
    "  pop %rbx\n"
    "  ret\n"
    ".size run_insn, .-run_insn\n");

static sigjmp_buf fault_jump;
static volatile sig_atomic_t fault_signal;

static void on_fault(int sig) {
  fault_signal = sig;
  siglongjmp(fault_jump, 1);
}

static void install_handlers(void) {
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = on_fault;
  sigemptyset(&action.sa_mask);
  int signals[] = {SIGFPE, SIGILL, SIGSEGV, SIGBUS, SIGTRAP};
  for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) {
    if (sigaction(signals[i], &action, NULL) != 0) {
      perror("sigaction");
      exit(2);
    }
  }
}

static int parse_bytes(const char *hex, unsigned char *out, size_t max) {
  size_t len = strlen(hex);
  if (len == 0 || len % 2 != 0 || len / 2 > max) return -1;
  for (size_t i = 0; i < len / 2; i++) {
    unsigned value;
    if (sscanf(hex + 2 * i, "%2x", &value) != 1) return -1;
    out[i] = (unsigned char)value;
  }
  return (int)(len / 2);
}

/* Only the status flags (CF PF AF ZF SF OF = 0x8D5), reserved bit 1, TF and DF are ours; IF is the
 * OS's (always 1 in user mode) and is not reported, so the vector reads as if IF had been 0. */
#define REPORTED_FLAGS ((uint64_t)0xDD7)
#define IF_FLAG ((uint64_t)0x200)

int main(void) {
  unsigned char *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) {
    perror("mmap RWX");
    return 2;
  }
  install_handlers();
  char line[512];
  char hex[128];
  unsigned long line_no = 0;
  while (fgets(line, sizeof line, stdin)) {
    line_no++;
    struct cpu_state state;
    memset(&state, 0, sizeof state);
    if (sscanf(line, "%127s %" SCNx64 " %" SCNx64 " %" SCNx64 " %" SCNx64 " %" SCNx64, hex, &state.in_rax,
               &state.in_rbx, &state.in_rcx, &state.in_rdx, &state.in_rflags) != 6) {
      fprintf(stderr, "harness: malformed line %lu\n", line_no);
      return 2;
    }
    if (state.in_rflags & ~REPORTED_FLAGS) {
      fprintf(stderr, "harness: line %lu sets rflags bits outside 0x%" PRIx64 "\n", line_no, REPORTED_FLAGS);
      return 2;
    }
    unsigned char code[32];
    int len = parse_bytes(hex, code, sizeof code - 1);
    if (len < 0) {
      fprintf(stderr, "harness: bad code bytes on line %lu\n", line_no);
      return 2;
    }
    memcpy(page, code, (size_t)len);
    page[len] = 0xC3; /* RET back into run_insn */
    fault_signal = 0;
    if (sigsetjmp(fault_jump, 1) == 0) {
      run_insn(&state, page);
    } else if (fault_signal == SIGFPE) {
      puts("DE");
      continue;
    } else {
      fprintf(stderr, "harness: signal %d on line %lu (%s)\n", (int)fault_signal, line_no, hex);
      return 2;
    }
    uint64_t flags = state.out_rflags;
    if (flags & ~(REPORTED_FLAGS | IF_FLAG)) {
      fprintf(stderr, "harness: unexpected rflags 0x%" PRIx64 " on line %lu\n", flags, line_no);
      return 2;
    }
    printf("%016" PRIx64 " %016" PRIx64 " %016" PRIx64 " %016" PRIx64 " %016" PRIx64 "\n", state.out_rax,
           state.out_rbx, state.out_rcx, state.out_rdx, (uint64_t)(flags & REPORTED_FLAGS));
  }
  return 0;
}
