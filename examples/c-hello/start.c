// Entry point of the C guest: sets up a stack, calls main, then halts for good.

/* naked: no prologue, since there is no valid stack yet when the VMM jumps here (long mode,
   RDI = boot-info page, see BOOTINFO_* in language/include/snp.inc). */
__attribute__((naked, noreturn)) void _start(void)
{
    __asm__ volatile(
        "lea __stack_top(%rip), %rsp\n\t"
        "call main\n\t"
        "1: hlt\n\t"
        "jmp 1b");
}
