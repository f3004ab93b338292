# answer.sh: your commands, one per line
