/* linkedlist — 100 000 Node structs from a static pool: build, then 10 rounds of reverse +
 * position-weighted sum. The C twin of linkedlist.ts. */

#include <stddef.h>

struct Node {
  unsigned value;
  struct Node *next;
};

#define COUNT 100000
#define ROUNDS 10
static struct Node pool[COUNT];
static unsigned used;

static struct Node *alloc(void) {
  return &pool[used++];
}

static struct Node *build(int count) {
  struct Node *head = NULL;
  unsigned x = 2463534242u;
  for (int i = 0; i < count; i++) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    struct Node *n = alloc();
    n->value = x & 0xFFFF;
    n->next = head;
    head = n;
  }
  return head;
}

static struct Node *reverse(struct Node *head) {
  struct Node *prev = NULL;
  while (head != NULL) {
    struct Node *next = head->next;
    head->next = prev;
    prev = head;
    head = next;
  }
  return prev;
}

static unsigned weightedSum(struct Node *head) {
  unsigned sum = 0, pos = 1;
  for (struct Node *n = head; n != NULL; n = n->next) {
    sum += n->value * pos;
    pos++;
  }
  return sum;
}

int main(void) {
  struct Node *list = build(COUNT);
  unsigned h = 0;
  for (int r = 0; r < ROUNDS; r++) {
    list = reverse(list);
    h = h * 31 + weightedSum(list);
  }
  return (int)h;
}
