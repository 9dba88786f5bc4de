// The SNP hardware model's public API: the RMP with its host instructions (RMPUPDATE, PSMASH),
// the guest instructions (PVALIDATE, RMPADJUST), the RMP access check, #VC codes, SEV_STATUS,
// the SNP CPUID page, the host's ciphertext view of private memory, ASID allocation, and the
// GHCB/PSC/MSR-protocol layout constants KVM's VMGEXIT handling uses.

/** RMP entry fields, permission bits, return codes and the 16-byte display encodings. */
export * from './rmpEntry';
/** The RMP table: get/entries/assignedEntries, rmpupdate, psmash, firmwareWrite, onChange; rmpMakePrivate/Shared. */
export * from './rmpTable';
/** checkGuestAccess (ok | #VC 0x404 | NPF with PFERR bits), PFERR_* and effectivePrivate. */
export * from './rmpAccess';
/** pvalidate / rmpadjust with their prechecks (EAX, CF, or NPF/#VC). */
export * from './guestRmpInsns';
/** SVM exit codes, IOIO/EVTINJ fields, and vcErrorCodeFor(intercept). */
export * from './svmExitCodes';
/** SEV_STATUS per VM type, SEV_FEATURES bits, KVM VM type numbers. */
export * from './sevStatus';
/** Host (ciphertext) view of private pages and per-VM key derivation (XTS-AES stand-in). */
export * from './memCrypt';
/** Guest ASID allocation per VM type. */
export * from './asid';
/** GHCB page layout, NAE codes, GHCB errors, the MSR protocol and the PSC descriptor. */
export * from './ghcbLayout';
/** The SNP CPUID page: format, parse/build, and the Linux guest's table lookup. */
export * from './cpuidPage';
/** Firmware-style validation of a CPUID page against a platform policy; entries from a model. */
export * from './cpuidValidate';
