#include <cstdio>
int main() { std::puts("imine"); return 0; }
