// The memory inspector's markup (no scripts, no handlers: main.ts finds these elements by id).
export function memoryBody(): string {
  return `<div id="toolbar" role="toolbar" aria-label="Memory inspector">
  <select id="space" aria-label="Address space" title="Address space">
    <option value="gva">GVA (guest-virtual)</option>
    <option value="gpa">GPA (guest-physical)</option>
  </select>
  <span role="group" aria-label="View">
    <button id="view-guest" aria-pressed="true" title="What the guest reads (plaintext)">Guest view</button>
    <button id="view-host" aria-pressed="false" title="What the VMM reads: ciphertext for private pages">Host view</button>
  </span>
  <form id="go"><input aria-label="Go to address" placeholder="Go to: 0x1000, rsp, [rbp-8], label" spellcheck="false"></form>
  <label title="Show the stack of the selected frame and vCPU after each stop"><input type="checkbox" id="follow"> Follow frame</label>
</div>
<div id="legend" aria-label="Page states"></div>
<form id="edit" hidden><span class="edit-address"></span><input aria-label="Bytes to write" spellcheck="false"><button type="submit">Write</button></form>
<div id="main"><div id="hex"></div><div id="scroll" aria-hidden="true"></div></div>
<div id="status" role="status"></div>`;
}
