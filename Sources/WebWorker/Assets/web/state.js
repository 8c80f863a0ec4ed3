// The page's shared state: one object, owned by no framework. Views read it; session.js and chat.js change it.
export const state = {
  /** The conversation list as last loaded (newest first) and the total count. */
  conversations: [],
  total: 0,
  /** The open conversation (with `messages`), or null. */
  current: null,
  /** The models catalog (GET /api/models `data`). */
  models: [],
  /** Model chosen before any session exists; used when the first session is created. */
  pendingModel: null,
  /** The answer streaming now: { view, controller, conversationId, stopRequested }, or null. */
  stream: null,
  /** A message to scroll to once its conversation opens (a search hit). */
  focusMessage: null,
  /** Timer polling an answer that was streaming when the page loaded. */
  poll: null,
  /** Who uses the page (GET /api/auth/session): { mode, via, name, role }, or null until known. */
  me: null,
};
