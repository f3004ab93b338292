# answer.sh: your commands, one per line
rmmod ide_disk
rmmod ide_core
