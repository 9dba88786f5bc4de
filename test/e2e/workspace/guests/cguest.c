// cguest.c: the e2e tests' C guest (built by .ci/e2e.sh with examples/c-hello's start.c and link.ld),
// so a test can set a breakpoint in a .c file and step C lines.
static volatile unsigned long total;

static unsigned long add(unsigned long a, unsigned long b)
{
    return a + b;
}

int main(void)
{
    for (unsigned long i = 1; i <= 3; i++)
        total = add(total, i);
    return (int)total;
}
