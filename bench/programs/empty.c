/* empty — the baseline (see empty.ts). */
int main(void) { return 0; }
