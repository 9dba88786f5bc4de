// A freestanding C guest for snpdbg: prints a greeting on the COM1 serial port, then returns to _start.

/* COM1 I/O port base; the VMM's boot info also reports it (BOOTINFO_SERIAL_PORT in snp.inc). */
#define COM1_PORT 0x3f8

struct serial_port {
    unsigned short io_base;
    unsigned int bytes_written;
};

/* Port output needs the OUT instruction, which C cannot express. */
static inline void outb(unsigned short port, unsigned char value)
{
    __asm__ volatile("outb %0, %1" : : "a"(value), "Nd"(port));
}

/* noinline keeps these as separate functions at -O2 so the debugger has frames to show. */
__attribute__((noinline)) void serial_putc(struct serial_port *port, char c)
{
    outb(port->io_base, (unsigned char)c);
    port->bytes_written++;
}

__attribute__((noinline)) unsigned int serial_puts(struct serial_port *port, const char *text)
{
    unsigned int count = 0;
    for (const char *p = text; *p != '\0'; p++) {
        serial_putc(port, *p);
        count++;
    }
    return count;
}

int main(void)
{
    struct serial_port com1 = { COM1_PORT, 0 };
    unsigned int written = serial_puts(&com1, "Hello from a C guest\n");
    return written == com1.bytes_written ? 0 : 1;
}
