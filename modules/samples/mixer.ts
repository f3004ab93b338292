// mixer.ts — a pretend sound mixer whose settings outlive it: kmod.txt's idea of publishing a
// driver's settings under /proc/sys so that user space can keep them across unloads.
//
// While loaded, the module shows two settings, read and written as decimal integers:
//
//   /proc/sys/drivers/mixer/volume     0-100 (default 50)
//   /proc/sys/drivers/mixer/bass       -10-10 (default 0)
//
// (driverSettingInt, kernel/module/driver_settings.ts; the files go away with the module).
// Unloaded and loaded again, a module starts from its defaults — unless /etc/modprobe.conf's
// `remove mixer` line saves the values first and `install mixer` gives them back (see
// docs/module-tools.md, "Keeping a driver's settings"):
//
//   # echo 80 > /proc/sys/drivers/mixer/volume
//   # modprobe -r mixer; modprobe mixer
//   # cat /proc/sys/drivers/mixer/volume          → 80

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("A pretend mixer: settings in /proc/sys/drivers/mixer, kept across unloads by modprobe.conf");

const volume = new StaticArray<i32>(1);
const bass = new StaticArray<i32>(1);

export function init_module(): i32 {
  volume[0] = 50;
  bass[0] = 0;
  let r = driverSettingInt("volume", changetype<usize>(volume));
  if (r == 0) r = driverSettingInt("bass", changetype<usize>(bass));
  return r; // on failure the loader drops what was published
}

export function cleanup_module(): void {}
