/* runtime.c: the entry point and the few C library functions a freestanding guest needs. */
#include "snp.h"

int main(struct boot_info *bi);

/* naked: there is no stack yet when the VMM enters here (long mode, RDI = boot-info page). */
__attribute__((naked, noreturn, section(".text._start"))) void _start(void)
{
	__asm__ volatile("lea __stack_top(%rip), %rsp\n\t"
			 "call main\n\t"
			 "1: hlt\n\t"
			 "jmp 1b");
}

void *memset(void *dst, int c, size_t n)
{
	u8 *d = dst;
	while (n--)
		*d++ = (u8)c;
	return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	u8 *d = dst;
	const u8 *s = src;
	while (n--)
		*d++ = *s++;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const u8 *x = a, *y = b;
	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x < *y ? -1 : 1;
	return 0;
}
